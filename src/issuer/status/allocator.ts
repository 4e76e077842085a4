import { randomBytes, randomInt } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { StatusListKind, StatusPurpose, StatusTables } from './tables.js';

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

/** Thrown inside the issuing transaction when a list is full; see `StatusAllocator.reserve`. */
export class StatusListFull extends Error {
  constructor(readonly listId: string) {
    super(`status list ${listId} is full`);
    this.name = 'StatusListFull';
  }
}

/**
 * Picks status list indices at random (so an index says nothing about issuance order) and never
 * twice: each pick is an insert under the (list, idx) primary key, which PostgreSQL enforces across
 * every instance; a taken index makes the insert do nothing and another index is drawn. Rows are
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

  /** Inside the issuing transaction: one random free index of a prepared list. */
  async allocate(
    trx: Kysely<StatusTables>,
    listId: string,
    kind: StatusListKind,
    purpose: StatusPurpose,
    credentialId: string,
  ): Promise<AllocatedEntry> {
    for (let attempt = 0; attempt < COLLISIONS_BEFORE_FULL; attempt++) {
      const idx = randomInt(this.size);
      const result = await trx
        .insertInto('issuer_status_entries')
        .values({ list_id: listId, idx, credential_id: credentialId, status: 0, updated_at: Date.now() })
        .onConflict((oc) => oc.columns(['list_id', 'idx']).doNothing())
        .executeTakeFirst();
      if (Number(result.numInsertedOrUpdatedRows ?? 0) === 1) return { listId, idx, kind, purpose };
    }
    throw new StatusListFull(listId);
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
    const id = randomBytes(12).toString('base64url');
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
