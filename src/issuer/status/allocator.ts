import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Commit, prepareStatement, transactionPerUnit } from '../../platform/db/index.js';
import type { StatusPermutations } from './permutation.js';
import type { StatusListKind, StatusPurpose, StatusTables } from './tables.js';

// The issuing transaction's statement, prepared once (src/platform/db/prepared.ts).
const CLAIM = prepareStatement(
  'insert into "issuer_status_entries" ("list_id", "seq", "idx", "credential_id", "status", "updated_at") values ($1, $2, $3, $4, 0, $5) on conflict ("list_id", "seq") do nothing',
);
// A worker's reservation of the next `$1` allocation numbers of a list, committed before any is used.
const RESERVE = prepareStatement<{ next_seq: number; size: number; permutation_tag: string | null }>(
  'update "issuer_status_lists" set "next_seq" = "next_seq" + $1 where "id" = $2 and "state" = \'open\' and "next_seq" < "size" returning "next_seq", "size", "permutation_tag"',
);

/** Entries per list: the W3C minimum (131,072 bits, §6.1) so a credential hides among many. */
export const STATUS_LIST_SIZE = 131072;
/** Lists tried in a row when each turns out full before a range of it could be reserved. */
const FULL_LIST_RETRIES = 5;

/**
 * Allocation numbers a worker reserves at a time: 256 for a full-size list (512 reservations fill
 * it; a worker's restart leaves at most 256 of its 131,072 indices unused), fewer for small lists.
 */
export function reservationSize(listSize: number): number {
  return Math.max(1, Math.min(256, Math.floor(listSize / 64)));
}

export interface AllocatedEntry {
  listId: string;
  /** The entry's allocation number in its list (its row's key). */
  seq: number;
  /** The index the credential carries: the list's permutation of `seq`. */
  idx: number;
  kind: StatusListKind;
  purpose: StatusPurpose;
}

/** A list whose permutation tag is not this process's: another master key allocated from it. */
export class StatusPermutationMismatch extends Error {
  constructor(readonly listId: string) {
    super(
      `status list ${listId} was allocated under another master key: this instance cannot allocate from it or find its entries by index`,
    );
    this.name = 'StatusPermutationMismatch';
  }
}

interface Range {
  listId: string;
  table: Uint32Array;
  next: number;
  end: number;
  /** Allocation numbers handed out and given back unused (their issuance rolled back). */
  returned: number[];
}

/**
 * Allocates status list indices without a read and without a write at a random place.
 *
 * Each list has a counter (`next_seq`) and a keyed pseudo-random permutation P of [0, size)
 * (`StatusPermutations`, keyed from the master key and the list id, so every worker and instance
 * computes the same). A worker reserves a range of allocation numbers at a time — an atomic
 * `update … set next_seq = next_seq + R … returning`, committed before any of them is used — and hands
 * them out from memory: the seq-th entry of a list gets the index P(seq). No index is handed out twice:
 * each number is reserved once (the counter, on both dialects), P is a bijection, and the issuing
 * transaction inserts the entry under the (list, seq) primary key, so even a number handed out twice
 * (a lost reservation) could not be recorded twice. Rows are never deleted: never reused. A range lost
 * in a crash only leaves indices unused. A list is full when its counter reaches its size (100 %).
 * An index says nothing about issuance order to anyone without the master key (P looks uniformly
 * random), and entry rows are appended in allocation order (list, seq).
 *
 * Lists are created and reservations committed outside the issuing transaction, so a rolled-back
 * issuance never leaves a reference to a list that does not exist.
 */
export class StatusAllocator {
  /** The range this process hands out from, per kind/purpose. */
  private readonly ranges = new Map<string, Range>();
  private readonly refills = new Map<string, Promise<void>>();
  /** The open list per kind/purpose this instance last reserved from (lists are shared; a hint). */
  private readonly current = new Map<string, string>();
  private readonly commit: Commit;

  constructor(
    private readonly db: Kysely<StatusTables>,
    private readonly permutations: StatusPermutations,
    private readonly options: { size?: number; commit?: Commit; reservation?: number } = {},
  ) {
    this.commit = options.commit ?? transactionPerUnit(db as Kysely<unknown>);
  }

  private get size(): number {
    return this.options.size ?? STATUS_LIST_SIZE;
  }

  /** One entry for a credential: from this process's range, refilled (one committed write) when empty. */
  async allocate(kind: StatusListKind, purpose: StatusPurpose): Promise<AllocatedEntry> {
    const slot = `${kind}/${purpose}`;
    for (;;) {
      const range = this.ranges.get(slot);
      if (range) {
        const seq = range.returned.length ? (range.returned.pop() as number) : range.next++;
        if (seq < range.end)
          return { listId: range.listId, seq, idx: range.table[seq] as number, kind, purpose };
        range.next = range.end;
      }
      // Concurrent requests of this process wait for one reservation.
      let refill = this.refills.get(slot);
      if (!refill) {
        refill = this.reserve(slot, kind, purpose).finally(() => this.refills.delete(slot));
        this.refills.set(slot, refill);
      }
      await refill;
    }
  }

  /**
   * Entries allocated for an issuance that rolled back before anything was recorded: handed out again
   * by this process (their list and number are still unrecorded; were one recorded after all, the
   * (list, seq) key would refuse the second insert).
   */
  release(entries: readonly AllocatedEntry[]): void {
    for (const entry of entries) {
      const range = this.ranges.get(`${entry.kind}/${entry.purpose}`);
      if (range?.listId === entry.listId) range.returned.push(entry.seq);
    }
  }

  /**
   * Inside the issuing transaction: records an allocated entry for a credential. False when the
   * (list, seq) row exists already (only a reservation lost with the database's last commits could
   * hand a number out twice): the caller rolls back and allocates again; an index is never shared.
   */
  async claim(trx: Kysely<StatusTables>, entry: AllocatedEntry, credentialId: string): Promise<boolean> {
    const { changes } = await CLAIM.run(trx as Kysely<unknown>, [
      entry.listId,
      entry.seq,
      entry.idx,
      credentialId,
      Date.now(),
    ]);
    return changes === 1;
  }

  /** The next range of the current list of a kind/purpose, a new list when it is full. */
  private async reserve(slot: string, kind: StatusListKind, purpose: StatusPurpose): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const listId = this.current.get(slot) ?? (await this.openList(kind, purpose));
      const want = reservationSize(this.size);
      const reserved = (await this.commit((trx) => RESERVE.run(trx as Kysely<unknown>, [want, listId])))
        .rows[0];
      if (reserved) {
        const next = Number(reserved.next_seq);
        const size = Number(reserved.size);
        if (reserved.permutation_tag !== this.permutations.tag(listId))
          throw new StatusPermutationMismatch(listId);
        const previous = this.ranges.get(slot);
        if (previous && previous.listId !== listId) this.permutations.forget(previous.listId);
        this.current.set(slot, listId);
        this.ranges.set(slot, {
          listId,
          table: this.permutations.of(listId, size),
          next: next - want,
          end: Math.min(next, size),
          returned: [],
        });
        // Its last range: no instance opens it again (the range is still handed out).
        if (next >= size) await this.markFull(listId, slot);
        return;
      }
      // Full (or marked full by another instance): another list.
      await this.markFull(listId, slot);
      if (attempt >= FULL_LIST_RETRIES) throw new Error(`no status list of ${slot} could be reserved from`);
    }
  }

  private async markFull(listId: string, slot: string): Promise<void> {
    await this.db
      .updateTable('issuer_status_lists')
      .set({ state: 'full' })
      .where('id', '=', listId)
      .execute();
    if (this.current.get(slot) === listId) this.current.delete(slot);
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
      .where('next_seq', 'is not', null)
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
        next_seq: 0,
        permutation_tag: this.permutations.tag(id),
      })
      .execute();
    return id;
  }
}
