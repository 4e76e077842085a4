import { randomBytes, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import { prepareStatement } from '../../platform/db/index.js';
import type { StatusListKind, StatusPurpose, StatusTables } from './tables.js';

// The issuing path's two statements, prepared once (src/platform/db/prepared.ts).
const IS_TAKEN = prepareStatement(
  'select "idx" from "issuer_status_entries" where "list_id" = $1 and "idx" = $2',
);
const CLAIM = prepareStatement(
  'insert into "issuer_status_entries" ("list_id", "idx", "credential_id", "status", "updated_at") values ($1, $2, $3, 0, $4) on conflict ("list_id", "idx") do nothing',
);

/** Entries per list: the W3C minimum (131,072 bits, §6.1) so a credential hides among many. */
export const STATUS_LIST_SIZE = 131072;
/** Consecutive collisions after which a list counts as full (about three quarters used). */
const COLLISIONS_BEFORE_FULL = 8;

export interface AllocatedEntry {
  listId: string;
  idx: number;
  kind: StatusListKind;
  purpose: StatusPurpose;
}

/** Thrown when a list is full (`StatusAllocator.draw`): the caller marks it and draws from another. */
export class StatusListFull extends Error {
  constructor(readonly listId: string) {
    super(`status list ${listId} is full`);
    this.name = 'StatusListFull';
  }
}

/**
 * Picks status list indices at random (so an index says nothing about issuance order) and never
 * twice: an index is drawn among the free ones, and taken by an insert under the (list, idx) primary
 * key inside the issuing transaction, which the database enforces across every instance and worker;
 * an index taken in between makes the insert do nothing, and the issuance draws again. Rows are
 * never deleted, so an index once used (even by a credential later revoked) is never handed out again.
 *
 * Lists are created and marked full outside the issuing transaction (`prepare`, `markFull`), so a
 * rolled-back issuance never leaves a reference to a list that does not exist.
 */
export class StatusAllocator {
  /** The open list per kind/purpose this instance last used (lists are shared; this is a hint). */
  private readonly current = new Map<string, string>();
  private readonly pending = new Map<string, Promise<string>>();

  constructor(
    private readonly db: Kysely<StatusTables>,
    private readonly size = STATUS_LIST_SIZE,
  ) {}

  /** The list new entries of this kind/purpose go to (created when there is none open). */
  async prepare(kind: StatusListKind, purpose: StatusPurpose): Promise<string> {
    const slot = `${kind}/${purpose}`;
    const known = this.current.get(slot);
    if (known) return known;
    // Concurrent requests of this instance wait for one lookup/creation instead of each making a list.
    let pending = this.pending.get(slot);
    if (!pending) {
      pending = this.openList(kind, purpose)
        .then((listId) => {
          this.current.set(slot, listId);
          return listId;
        })
        .finally(() => this.pending.delete(slot));
      this.pending.set(slot, pending);
    }
    return pending;
  }

  /**
   * One random index of a prepared list that is free now (a read: nothing is reserved). The caller
   * signs with it and then `claim`s it inside the issuing transaction; `avoid` holds the
   * `list/idx` slots already drawn for the same response.
   */
  async draw(
    listId: string,
    kind: StatusListKind,
    purpose: StatusPurpose,
    avoid: Set<string> = new Set(),
  ): Promise<AllocatedEntry> {
    for (let attempt = 0; attempt < COLLISIONS_BEFORE_FULL; attempt++) {
      const idx = randomInt(this.size);
      if (avoid.has(`${listId}/${idx}`)) continue;
      const { rows } = await IS_TAKEN.run(this.db as Kysely<unknown>, [listId, idx]);
      if (rows.length === 0) {
        avoid.add(`${listId}/${idx}`);
        return { listId, idx, kind, purpose };
      }
    }
    throw new StatusListFull(listId);
  }

  /**
   * Inside the issuing transaction: takes a drawn index for a credential. False when another issuance
   * took it since the draw (the insert under the (list, idx) primary key did nothing) — the caller
   * rolls back and draws again; an index is never shared.
   */
  async claim(trx: Kysely<StatusTables>, entry: AllocatedEntry, credentialId: string): Promise<boolean> {
    const { changes } = await CLAIM.run(trx as Kysely<unknown>, [
      entry.listId,
      entry.idx,
      credentialId,
      Date.now(),
    ]);
    return changes === 1;
  }

  /** After a `StatusListFull`: the list takes no new entries; the next `prepare` finds or makes another. */
  async markFull(listId: string): Promise<void> {
    await this.db
      .updateTable('issuer_status_lists')
      .set({ state: 'full' })
      .where('id', '=', listId)
      .execute();
    for (const [slot, id] of this.current) if (id === listId) this.current.delete(slot);
  }

  /** The newest open list of a kind/purpose, created when there is none. */
  private async openList(kind: StatusListKind, purpose: StatusPurpose): Promise<string> {
    const db = this.db;
    const open = await db
      .selectFrom('issuer_status_lists')
      .select('id')
      .where('kind', '=', kind)
      .where('purpose', '=', purpose)
      .where('state', '=', 'open')
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .executeTakeFirst();
    if (open) return open.id;
    // Two instances may each create one at the same moment: both lists are then used, which is fine.
    // Hex, not base64url: an id that starts with '-' reads as an option to `attesta issuer status-list`.
    const id = randomBytes(12).toString('hex');
    await db
      .insertInto('issuer_status_lists')
      .values({
        id,
        kind,
        purpose,
        size: this.size,
        bits: kind === 'token' ? 2 : 1,
        state: 'open',
        version: 1,
        created_at: Date.now(),
      })
      .execute();
    return id;
  }
}
