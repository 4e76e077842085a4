import type { Kysely } from 'kysely';
import {
  type Commit,
  deleteExpiredInBatches,
  prepareStatement,
  SweepSchedule,
  transactionPerUnit,
} from '../../platform/db/index.js';
import { pooledRandomBytes } from '../../platform/random.js';
import type { ProtocolTables } from '../protocol-database.js';

/**
 * Written in every issuing transaction (the hot path: prepared once, and on PostgreSQL deferred to the
 * batch's one statement of writes before its COMMIT: src/platform/db/prepared.ts).
 */
const CREATE = prepareStatement(
  'insert into "issuer_notifications" ("id", "owner", "credential_ids", "configuration_id", "event", "event_description", "created_at", "notified_at") values ($1, $2, $3, $4, null, null, $5, null)',
  { deferrable: true },
);

/**
 * A sweep deletes at most BATCH × BATCHES rows (100,000 a minute: above what an instance issues), BATCH per
 * transaction, so it never holds the write lock long (2,000 rows: 5.4 ms on SQLite, docs/benchmarks.md).
 */
const SWEEP_BATCH = 2_000;
const SWEEP_BATCHES = 50;

export interface NotificationRetention {
  /** How long a notification id is answered (`issuer.protocol.notificationTtl`), seconds. */
  ttlSeconds: number;
  /** How the sweep's deletes become durable (the database's group commit in a service). */
  commit?: Commit;
}

export const NOTIFICATION_EVENTS = [
  'credential_accepted',
  'credential_failure',
  'credential_deleted',
] as const;
export type NotificationEvent = (typeof NOTIFICATION_EVENTS)[number];

/**
 * Notification ids (OpenID4VCI 1.0 §11) and the events wallets report, recorded against the ledger
 * ids of the credentials of one Credential Response. Until the issuance ledger takes the events
 * itself, this table is where they are kept (keyed by notification id, listing credential ids).
 */
export class NotificationStore {
  private readonly ttlMs: number;
  private readonly commit: Commit;
  private readonly sweeps: SweepSchedule;

  /**
   * A notification id is answered for `retention.ttlSeconds` after its credentials were issued, then
   * its row is deleted: OpenID4VCI 1.0 §11 makes a notification idempotent (a repeat must succeed, so a
   * row is not deleted when its event arrives), asks the wallet for a valid access token, and promises
   * no notification at all; kept for ever, the rows grew the database by 185 bytes per credential.
   */
  constructor(
    private readonly db: Kysely<ProtocolTables>,
    private readonly now: () => number = Date.now,
    retention: NotificationRetention = { ttlSeconds: 86_400 },
  ) {
    this.ttlMs = retention.ttlSeconds * 1000;
    this.commit = retention.commit ?? transactionPerUnit(db as Kysely<unknown>);
    this.sweeps = new SweepSchedule(() => this.sweep(), now());
  }

  async create(owner: string, configurationId: string, credentialIds: readonly string[]): Promise<string> {
    const id = NotificationStore.newId();
    await this.createIn(this.db, id, owner, configurationId, credentialIds);
    return id;
  }

  /**
   * A fresh notification id for `createIn`: the time in ms (6 bytes, big-endian) then 96 random bits.
   * The time prefix keeps the ids of one moment in one region of the table's key index, so an insert
   * does not write a page at a random place (as the ledger's UUIDv7 ids, ledger/credential-id.ts); only
   * the wallet that was issued the id sees it, and it knows when that was.
   */
  static newId(now: number = Date.now()): string {
    const id = Buffer.allocUnsafe(18);
    id.writeUIntBE(now, 0, 6);
    pooledRandomBytes(12).copy(id, 6);
    return id.toString('base64url');
  }

  /** `create` with a chosen id inside a caller's transaction (the issuing one: §8.3's id exists once the credentials do). */
  async createIn(
    db: Kysely<ProtocolTables>,
    id: string,
    owner: string,
    configurationId: string,
    credentialIds: readonly string[],
  ): Promise<void> {
    const now = this.now();
    this.sweeps.due(now);
    await CREATE.run(db as Kysely<unknown>, [id, owner, JSON.stringify(credentialIds), configurationId, now]);
  }

  /**
   * Deletes the rows whose notification ids are no longer answered, oldest first, in transactions of at
   * most `batch` rows and at most `batches` of them (the next sweep takes the rest); returns how many.
   */
  async sweep(batch = SWEEP_BATCH, batches = SWEEP_BATCHES): Promise<number> {
    return deleteExpiredInBatches(
      this.commit,
      { table: 'issuer_notifications', key: 'id', expiry: 'created_at' },
      this.now() - this.ttlMs,
      { batch, batches },
    );
  }

  /**
   * Records an event. Repeating the same notification is harmless (idempotent, §11.1); a later event
   * replaces an earlier one (a credential accepted, then deleted). False for an unknown id, and for one
   * past its retention whether or not the sweep has deleted it yet.
   */
  async record(id: string, owner: string, event: NotificationEvent, description?: string): Promise<boolean> {
    if (id.length === 0 || id.length > 64) return false;
    const now = this.now();
    const result = await this.db
      .updateTable('issuer_notifications')
      .set({ event, event_description: description ?? null, notified_at: now })
      .where('id', '=', id)
      .where('owner', '=', owner)
      .where('created_at', '>', now - this.ttlMs)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async get(id: string): Promise<{ event: string | null; credentialIds: string[] } | undefined> {
    const row = await this.db
      .selectFrom('issuer_notifications')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst();
    return row ? { event: row.event, credentialIds: JSON.parse(row.credential_ids) as string[] } : undefined;
  }
}
