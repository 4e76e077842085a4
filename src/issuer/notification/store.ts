import type { Kysely } from 'kysely';
import { prepareStatement } from '../../platform/db/index.js';
import { pooledRandomBytes } from '../../platform/random.js';
import type { ProtocolTables } from '../protocol-database.js';

/** Written in every issuing transaction (the hot path: prepared once, src/platform/db/prepared.ts). */
const CREATE = prepareStatement(
  'insert into "issuer_notifications" ("id", "owner", "credential_ids", "configuration_id", "event", "event_description", "created_at", "notified_at") values ($1, $2, $3, $4, null, null, $5, null)',
);

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
  constructor(
    private readonly db: Kysely<ProtocolTables>,
    private readonly now: () => number = Date.now,
  ) {}

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
    await CREATE.run(db as Kysely<unknown>, [
      id,
      owner,
      JSON.stringify(credentialIds),
      configurationId,
      this.now(),
    ]);
  }

  /**
   * Records an event. Repeating the same notification is harmless (idempotent, §11.1); a later event
   * replaces an earlier one (a credential accepted, then deleted). False for an unknown id.
   */
  async record(id: string, owner: string, event: NotificationEvent, description?: string): Promise<boolean> {
    if (id.length === 0 || id.length > 64) return false;
    const result = await this.db
      .updateTable('issuer_notifications')
      .set({ event, event_description: description ?? null, notified_at: this.now() })
      .where('id', '=', id)
      .where('owner', '=', owner)
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
