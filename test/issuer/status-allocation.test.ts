import { execFileSync } from 'node:child_process';
import { createCipheriv, createHash } from 'node:crypto';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { decodeJwt } from 'jose';
import { type Kysely, Migrator, sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ISSUANCE_MIGRATION_SET,
  type IssuanceTables,
  issuanceMigrations,
} from '../../src/issuer/issuance/index.js';
import { Ledger } from '../../src/issuer/ledger/index.js';
import {
  type AllocatedEntry,
  keyedPermutation,
  reservationSize,
  StatusAllocator,
  StatusChanger,
  StatusListPublisher,
  StatusPermutationMismatch,
  StatusPermutations,
} from '../../src/issuer/status/index.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { LocalSigningKey } from '../../src/platform/keys/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

const KEY = Buffer.alloc(32, 3);
const ISSUER = 'https://issuer.example';

/**
 * The AES-256-CTR keystream under `key` with a zero IV, made the way NIST SP 800-38A §6.5 defines CTR:
 * the block cipher (AES-256-ECB here) applied to the counter blocks 0, 1, 2, … (128-bit big-endian).
 */
function ctrKeystream(key: Buffer, bytes: number): Buffer {
  const blocks = Math.ceil(bytes / 16);
  const counters = Buffer.alloc(blocks * 16);
  for (let i = 0; i < blocks; i++) counters.writeUInt32BE(i, i * 16 + 12);
  const ecb = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  return Buffer.concat([ecb.update(counters), ecb.final()]).subarray(0, bytes);
}

/** Fisher–Yates as Knuth states it (TAOCP vol. 2, §3.4.2, Algorithm P), with j by rejection from 32-bit words. */
function referenceShuffle(key: Buffer, size: number): number[] {
  const stream = ctrKeystream(key, size * 64 + 4096);
  let at = 0;
  const items = Array.from({ length: size }, (_, i) => i);
  for (let i = size - 1; i > 0; i--) {
    const bits = Math.ceil(Math.log2(i + 1));
    let j: number;
    do {
      j = stream.readUInt32LE(at) % 2 ** bits;
      at += 4;
    } while (j > i);
    [items[i], items[j]] = [items[j] as number, items[i] as number];
  }
  return items;
}

const pearson = (xs: ArrayLike<number>, ys: ArrayLike<number>): number => {
  const n = xs.length;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < n; i++) {
    mx += xs[i] as number;
    my += ys[i] as number;
  }
  mx /= n;
  my /= n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    const dy = (ys[i] as number) - my;
    sxy += dx * dy;
    sxx += dx * dx;
    syy += dy * dy;
  }
  return sxy / Math.sqrt(sxx * syy);
};

describe('the status index permutation', () => {
  it('is a bijection over [0, size) for the W3C size and for odd sizes', () => {
    for (const size of [1, 2, 3, 1000, 4099, 131072]) {
      const table = keyedPermutation(KEY, size);
      expect(table).toHaveLength(size);
      const seen = new Uint8Array(size);
      for (const idx of table) {
        expect(idx).toBeLessThan(size);
        seen[idx] = (seen[idx] as number) + 1;
      }
      expect(seen.every((count) => count === 1)).toBe(true);
    }
  });

  it('is Fisher–Yates over the AES-256-CTR keystream, as an independent implementation computes it', () => {
    for (const size of [5, 1000, 131072]) {
      expect(Array.from(keyedPermutation(KEY, size))).toEqual(referenceShuffle(KEY, size));
    }
  });

  it('is the same in another process, and differs per list and per master key', () => {
    const digest = (table: Uint32Array) =>
      createHash('sha256')
        .update(Buffer.from(table.buffer, table.byteOffset, table.byteLength))
        .digest('hex');
    const permutations = new StatusPermutations(KEY);
    const here = digest(permutations.of('list-a', 131072));
    const script = `import { StatusPermutations } from './src/issuer/status/permutation.ts';
      import { createHash } from 'node:crypto';
      const t = new StatusPermutations(Buffer.alloc(32, 3)).of('list-a', 131072);
      console.log(createHash('sha256').update(Buffer.from(t.buffer, t.byteOffset, t.byteLength)).digest('hex'));`;
    const there = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      encoding: 'utf8',
    }).trim();
    expect(there).toBe(here);

    const a = permutations.of('list-a', 131072);
    const b = permutations.of('list-b', 131072);
    const c = new StatusPermutations(Buffer.alloc(32, 4)).of('list-a', 131072);
    for (const other of [b, c]) {
      // Two independent random permutations agree at about one position.
      let same = 0;
      for (let i = 0; i < a.length; i++) if (a[i] === other[i]) same++;
      expect(same).toBeLessThan(10);
    }
    expect(permutations.tag('list-a')).not.toBe(permutations.tag('list-b'));
    expect(new StatusPermutations(Buffer.alloc(32, 4)).tag('list-a')).not.toBe(permutations.tag('list-a'));
  });

  it('says nothing of the allocation order: no correlation between seq and index, early seqs spread over the list', () => {
    const size = 131072;
    for (const listId of ['list-a', 'list-b', 'list-c']) {
      const table = new StatusPermutations(KEY).of(listId, size);
      const seqs = Array.from({ length: size }, (_, i) => i);
      // A random permutation's correlation has a standard deviation of 1/sqrt(n − 1) ≈ 0.0028.
      expect(Math.abs(pearson(seqs, table))).toBeLessThan(0.015);
      // The first 2,048 credentials of a list: σ ≈ 0.022; their indices spread over the whole list.
      const first = table.subarray(0, 2048);
      expect(Math.abs(pearson(seqs.slice(0, 2048), first))).toBeLessThan(0.12);
      const quarters = [0, 0, 0, 0];
      for (const idx of first) {
        const quarter = Math.floor((idx * 4) / size);
        quarters[quarter] = (quarters[quarter] as number) + 1;
      }
      for (const count of quarters) expect(count).toBeGreaterThan(412); // 512 expected, σ ≈ 20
      // Consecutive credentials are not near each other: |P(s+1) − P(s)| < size/100 happens ≈ 2 % of the time.
      let near = 0;
      for (let s = 0; s + 1 < size; s++)
        if (Math.abs((table[s + 1] as number) - (table[s] as number)) < size / 100) near++;
      expect(near / size).toBeLessThan(0.03);
    }
  });
});

type Db = Database<IssuanceTables>;

async function entryRows(db: Kysely<IssuanceTables>) {
  return db.selectFrom('issuer_status_entries').selectAll().orderBy('list_id').orderBy('seq').execute();
}

/** Records an allocated entry for a new credential (its ledger row with it), as the pipeline does. */
async function record(database: Db, allocator: StatusAllocator, entry: AllocatedEntry, id: string) {
  return database.commit(async (trx) => {
    const claimed = await allocator.claim(trx as never, entry, id);
    if (!claimed) return false;
    await new Ledger(KEY).record(trx as never, {
      id,
      configurationId: 'c',
      format: 'dc+sd-jwt',
      subject: 's',
      statusRefs: [{ listId: entry.listId, idx: entry.idx, purpose: entry.purpose }],
      issuedAt: Date.now(),
      attributes: {},
    });
    return true;
  });
}

describe.each(DIALECTS)('status allocation on $dialect', ({ dialect, create }) => {
  let testDb: TestDatabase | undefined;
  const open: Db[] = [];
  /** One more connection pool on the test database, as another worker or instance has. */
  const connect = async (): Promise<Db> => {
    const database = openDatabase<IssuanceTables>((testDb as TestDatabase).url);
    open.push(database);
    await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
    return database;
  };
  const allocatorOn = (database: Db, options: { size?: number; key?: Buffer } = {}) =>
    new StatusAllocator(database.db, new StatusPermutations(options.key ?? KEY), {
      size: options.size,
      commit: database.commit,
    });

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
  });
  afterEach(async () => {
    for (const database of open.splice(0)) await database.close();
    await testDb?.drop();
  });

  it('two workers racing on one list: every index once, each the permutation of its seq', async () => {
    const [a, b] = [await connect(), await connect()];
    const workers = [allocatorOn(a), allocatorOn(b)];
    // The list exists (two workers starting at one moment may each make one; both are then used).
    const opening = await (workers[0] as StatusAllocator).allocate('token', 'status');
    expect(await record(a, workers[0] as StatusAllocator, opening, 'urn:uuid:first')).toBe(true);
    const per = 1500;
    await Promise.all(
      [a, b].map((database, w) =>
        Promise.all(
          Array.from({ length: per }, async (_, i) => {
            const allocator = workers[w] as StatusAllocator;
            const entry = await allocator.allocate('token', 'status');
            expect(await record(database, allocator, entry, `urn:uuid:${w}-${i}`)).toBe(true);
          }),
        ),
      ),
    );
    const rows = await entryRows(a.db);
    expect(rows).toHaveLength(2 * per + 1);
    expect(new Set(rows.map((r) => `${r.list_id}/${r.idx}`)).size).toBe(2 * per + 1);
    expect(new Set(rows.map((r) => r.list_id)).size).toBe(1);
    const listId = rows[0]?.list_id as string;
    const table = new StatusPermutations(KEY).of(listId, 131072);
    for (const row of rows) expect(row.idx).toBe(table[row.seq]);
    // Numbers are reserved in ranges and never twice: the counter is past every one used.
    const list = await a.db.selectFrom('issuer_status_lists').selectAll().executeTakeFirstOrThrow();
    expect(Number(list.next_seq)).toBeGreaterThanOrEqual(Math.max(...rows.map((r) => r.seq)) + 1);
    expect(Number(list.next_seq) % reservationSize(131072)).toBe(0);
  });

  it('a worker that dies after reserving leaves its range unused; nothing of it is handed out again', async () => {
    const database = await connect();
    const crashed = allocatorOn(database);
    const first = await crashed.allocate('token', 'status');
    expect(await record(database, crashed, first, 'urn:uuid:before-crash')).toBe(true);
    // The process is gone with the rest of its range. A restarted worker reserves the next range.
    const restarted = allocatorOn(await connect());
    const seqs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const entry = await restarted.allocate('token', 'status');
      expect(await record(database, restarted, entry, `urn:uuid:after-${i}`)).toBe(true);
      seqs.push(entry.seq);
    }
    const range = reservationSize(131072);
    expect(first.seq).toBe(0);
    expect(Math.min(...seqs)).toBe(range);
    // Were a reservation lost after all (the counter set back, as a restore of an older backup would),
    // the (list, seq) key refuses to record a number twice.
    await database.db.updateTable('issuer_status_lists').set({ next_seq: 0 }).execute();
    const again = allocatorOn(database);
    const repeated = await again.allocate('token', 'status');
    expect(repeated.seq).toBe(0);
    expect(await record(database, again, repeated, 'urn:uuid:second-holder')).toBe(false);
    const holders = await database.db
      .selectFrom('issuer_status_entries')
      .select('credential_id')
      .where('seq', '=', 0)
      .execute();
    expect(holders).toEqual([{ credential_id: 'urn:uuid:before-crash' }]);
  });

  it('a list fills to its last index, is marked full, and the next entry goes to a new list', async () => {
    const database = await connect();
    const allocator = allocatorOn(database, { size: 256 });
    const entries: AllocatedEntry[] = [];
    for (let i = 0; i < 257; i++) {
      const entry = await allocator.allocate('token', 'status');
      expect(await record(database, allocator, entry, `urn:uuid:${i}`)).toBe(true);
      entries.push(entry);
    }
    const firstList = entries[0]?.listId as string;
    const inFirst = entries.filter((e) => e.listId === firstList);
    expect(inFirst).toHaveLength(256);
    expect(new Set(inFirst.map((e) => e.idx)).size).toBe(256);
    expect(entries[256]?.listId).not.toBe(firstList);
    const lists = await database.db.selectFrom('issuer_status_lists').select(['id', 'state']).execute();
    expect(lists).toEqual(
      expect.arrayContaining([
        { id: firstList, state: 'full' },
        { id: entries[256]?.listId, state: 'open' },
      ]),
    );
  });

  it('an entry of a rolled-back issuance is handed out again; a worker under another master key refuses the list', async () => {
    const database = await connect();
    const allocator = allocatorOn(database);
    const entry = await allocator.allocate('bitstring', 'revocation');
    allocator.release([entry]);
    expect(await allocator.allocate('bitstring', 'revocation')).toEqual(entry);
    await expect(
      allocatorOn(database, { key: Buffer.alloc(32, 8) }).allocate('bitstring', 'revocation'),
    ).rejects.toThrow(StatusPermutationMismatch);
  });

  it('revocation and suspension by credential id and by (list, index); the served list shows them', async () => {
    const database = await connect();
    const allocator = allocatorOn(database);
    const entries: AllocatedEntry[] = [];
    for (let i = 0; i < 5; i++) {
      const entry = await allocator.allocate('token', 'status');
      await record(database, allocator, entry, `urn:uuid:c${i}`);
      entries.push(entry);
    }
    const changer = new StatusChanger(database.db, new StatusPermutations(KEY));
    const [e0, e1, e2] = entries as [AllocatedEntry, AllocatedEntry, AllocatedEntry];
    expect(await changer.byCredential('urn:uuid:c0', 'revoked')).toEqual({ previous: 'valid' });
    expect(await changer.byListIndex(e1.listId, e1.idx, 'suspended')).toEqual({
      credentialId: 'urn:uuid:c1',
      previous: 'valid',
    });
    await expect(changer.byListIndex(e2.listId, 131072, 'revoked')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(changer.byListIndex('no-such-list', 1, 'revoked')).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(changer.byCredential('urn:uuid:c0', 'valid')).rejects.toMatchObject({ code: 'conflict' });
    // An index no credential holds yet (the list's next one) names nobody.
    const unused = new StatusPermutations(KEY).of(e0.listId, 131072)[200] as number;
    await expect(changer.byListIndex(e0.listId, unused, 'revoked')).rejects.toMatchObject({
      code: 'not_found',
    });

    // A changer under another master key cannot find entries by index: a conflict, named, nothing changed.
    const stranger = new StatusChanger(database.db, new StatusPermutations(Buffer.alloc(32, 8)));
    await expect(stranger.byListIndex(e2.listId, e2.idx, 'revoked')).rejects.toMatchObject({
      code: 'conflict',
      message: expect.stringContaining('another master key'),
    });
    await expect(stranger.byCredential('urn:uuid:c2', 'revoked')).rejects.toMatchObject({ code: 'conflict' });
    // Rolled back: the ledger row stays valid (and the served list below shows e2 unchanged).
    const c2 = await database.db
      .selectFrom('issuer_ledger')
      .select('status')
      .where('id', '=', 'urn:uuid:c2')
      .executeTakeFirst();
    expect(c2?.status).toBe('valid');

    const statuses = await servedStatuses(database, e0.listId);
    // draft-ietf-oauth-status-list §7.1: 0x00 VALID, 0x01 INVALID, 0x02 SUSPENDED.
    expect(statuses(e0.idx)).toBe(1);
    expect(statuses(e1.idx)).toBe(2);
    for (const other of entries.slice(2)) expect(statuses(other.idx)).toBe(0);
    let set = 0;
    for (let idx = 0; idx < 131072; idx++) if (statuses(idx) !== 0) set++;
    expect(set).toBe(2);
  });

  it('lists allocated by draws before the migration: marked full, served and changed as before; down and up again', async () => {
    const database = openDatabase<IssuanceTables>((testDb as TestDatabase).url);
    open.push(database);
    const before = Object.fromEntries(Object.entries(issuanceMigrations).filter(([name]) => name < '0102'));
    await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, before);
    // As the allocator before 0102 left them: a random index under the (list, idx) key, and the ledger row.
    const old = { listId: 'f3a9c2d1e0b7a6c5d4e3f201', taken: [7, 93_001, 131_071] };
    await sql`insert into "issuer_status_lists" ("id", "kind", "purpose", "size", "bits", "state", "version", "created_at") values (${old.listId}, 'token', 'status', 131072, 2, 'open', 1, ${Date.now()})`.execute(
      database.db,
    );
    for (const [i, idx] of old.taken.entries()) {
      await database.commit(async (trx) => {
        await sql`insert into "issuer_status_entries" ("list_id", "idx", "credential_id", "status", "updated_at") values (${old.listId}, ${idx}, ${`urn:uuid:old-${i}`}, 0, 0)`.execute(
          trx,
        );
        await new Ledger(KEY).record(trx as never, {
          id: `urn:uuid:old-${i}`,
          configurationId: 'c',
          format: 'dc+sd-jwt',
          subject: 's',
          statusRefs: [{ listId: old.listId, idx, purpose: 'status' }],
          issuedAt: Date.now(),
          attributes: {},
        });
      });
    }
    await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);

    const list = await database.db
      .selectFrom('issuer_status_lists')
      .selectAll()
      .where('id', '=', old.listId)
      .executeTakeFirstOrThrow();
    expect(list).toMatchObject({ state: 'full', next_seq: null, permutation_tag: null });
    expect((await entryRows(database.db)).map((r) => [r.seq, r.idx])).toEqual(old.taken.map((i) => [i, i]));
    // New credentials go to a new list.
    const allocator = allocatorOn(database);
    const fresh = await allocator.allocate('token', 'status');
    expect(fresh.listId).not.toBe(old.listId);
    await record(database, allocator, fresh, 'urn:uuid:new');
    // The old entries change by credential id and by (list, index), and the old list is served with them.
    const changer = new StatusChanger(database.db, new StatusPermutations(KEY));
    await changer.byCredential('urn:uuid:old-0', 'revoked');
    expect(await changer.byListIndex(old.listId, 93_001, 'suspended')).toEqual({
      credentialId: 'urn:uuid:old-1',
      previous: 'valid',
    });
    await expect(changer.byListIndex(old.listId, 8, 'revoked')).rejects.toMatchObject({ code: 'not_found' });
    const statuses = await servedStatuses(database, old.listId);
    expect([statuses(7), statuses(93_001), statuses(131_071), statuses(8)]).toEqual([1, 2, 0, 0]);

    // Down: (list, idx) keys and the credential index again, every row kept; up again: as before.
    const migrator = new Migrator({
      db: database.db as Kysely<unknown>,
      provider: { getMigrations: async () => issuanceMigrations },
      migrationTableName: `${ISSUANCE_MIGRATION_SET}_migrations`,
      migrationLockTableName: `${ISSUANCE_MIGRATION_SET}_migrations_lock`,
    });
    const down = await migrator.migrateDown();
    expect(down.error).toBeUndefined();
    expect(down.results?.[0]?.migrationName).toBe('0102_status_sequence');
    const downRows = await database.db
      .selectFrom('issuer_status_entries')
      .select(['list_id', 'idx', 'credential_id', 'status'])
      .orderBy('credential_id')
      .execute();
    expect(downRows).toEqual([
      { list_id: fresh.listId, idx: fresh.idx, credential_id: 'urn:uuid:new', status: 0 },
      { list_id: old.listId, idx: 7, credential_id: 'urn:uuid:old-0', status: 1 },
      { list_id: old.listId, idx: 93_001, credential_id: 'urn:uuid:old-1', status: 2 },
      { list_id: old.listId, idx: 131_071, credential_id: 'urn:uuid:old-2', status: 0 },
    ]);
    await expect(
      sql`insert into "issuer_status_entries" ("list_id", "idx", "credential_id", "status", "updated_at") values (${old.listId}, 7, 'urn:uuid:dup', 0, 0)`.execute(
        database.db,
      ),
    ).rejects.toThrow();
    expect((await migrator.migrateToLatest()).error).toBeUndefined();
    const upRows = await entryRows(database.db);
    expect(upRows.find((r) => r.credential_id === 'urn:uuid:new')).toMatchObject({ seq: fresh.idx });
    expect(upRows).toHaveLength(4);
  });
});

/** The Token Status List the issuer serves for a list, read by @sd-jwt/jwt-status-list: idx → status. */
async function servedStatuses(database: Db, listId: string): Promise<(idx: number) => number> {
  const key = await LocalSigningKey.generate('ES256');
  const publisher = new StatusListPublisher(database.db, key, ISSUER);
  const served = await publisher.get('token', listId);
  if (!served) throw new Error('list not served');
  const payload = decodeJwt(served.body) as { status_list: { bits: 1 | 2 | 4 | 8; lst: string } };
  const list = StatusList.decompressStatusList(payload.status_list.lst, payload.status_list.bits);
  return (idx) => list.getStatus(idx);
}
