import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdJwtVc } from '../../src/credentials/formats/index.js';
import {
  ConfigurationStore,
  demoConfigurations,
  validateConfiguration,
} from '../../src/issuer/configurations/index.js';
import { consumeNonces, requireGenuineNonces } from '../../src/issuer/credential/consume-nonces.js';
import { type IssuerTables, issuerMigrations } from '../../src/issuer/database.js';
import type { FormatSignerRegistry } from '../../src/issuer/formats/types.js';
import {
  ISSUANCE_MIGRATION_SET,
  IssuancePipeline,
  type IssuanceTables,
  issuanceMigrations,
  PipelineSigner,
} from '../../src/issuer/issuance/index.js';
import { Ledger } from '../../src/issuer/ledger/index.js';
import { NonceStore } from '../../src/issuer/nonce-store.js';
import { DataProviders } from '../../src/issuer/providers/index.js';
import { StatusAllocator, StatusPermutations } from '../../src/issuer/status/index.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { LocalSigningKey } from '../../src/platform/keys/index.js';
import { demoIdentities, type IdentityRegistry } from '../../src/platform/registry/index.js';
import { databaseForAllTests } from '../helpers/database-hooks.js';
import {
  createPostgresDatabase,
  DIALECTS,
  isPostgresAvailable,
  type TestDatabase,
} from '../helpers/databases.js';
import { newHolder } from './helpers/wallet.js';

const ISSUER = 'https://issuer.example';
const people = demoIdentities();
const registry: IdentityRegistry = {
  findByIndividualId: async (id) => people.find((p) => p.individualId === id),
  close: async () => {},
};
const nationalId = demoConfigurations()
  .map(validateConfiguration)
  .find((c) => c.id === 'national_id_sd_jwt');
if (!nationalId) throw new Error('demo configuration missing');

/** The SD-JWT VC format signing with one local key (the issuer's signers need a KeyStore). */
function sdJwtSigners(key: LocalSigningKey): FormatSignerRegistry {
  const issuer = { key, issuer: ISSUER, did: '', certificates: [] };
  const signer = {
    formats: [sdJwtVc.id],
    metadata: sdJwtVc.metadata.bind(sdJwtVc),
    sign: (input: Parameters<typeof sdJwtVc.issue>[0]) => sdJwtVc.issue(input, issuer),
  };
  return { formats: () => [sdJwtVc.id], get: () => signer };
}

/**
 * One issuer instance: its own pool, allocator and pipeline, sharing the database with the others;
 * its writes go through the database's group commit, as src/issuer/service.ts wires them.
 */
async function instance(url: string, options: { listSize?: number; signers?: FormatSignerRegistry } = {}) {
  const database = openDatabase<IssuanceTables & IssuerTables>(url);
  await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
  await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
  const key = await LocalSigningKey.generate('ES256');
  const pipeline = new IssuancePipeline({
    db: database.db,
    commit: database.commit,
    providers: new DataProviders(registry),
    signer: new PipelineSigner(options.signers ?? sdJwtSigners(key)),
    allocator: new StatusAllocator(database.db, new StatusPermutations(Buffer.alloc(32, 9)), {
      size: options.listSize,
      commit: database.commit,
    }),
    ledger: new Ledger(Buffer.alloc(32, 7)),
    issuer: ISSUER,
    credentialTtl: 86400,
  });
  const nonces = new NonceStore(database.db, 300, Buffer.alloc(32, 5));
  return { database, pipeline, nonces };
}

async function uniqueness(database: Database<IssuanceTables>) {
  const entries = await database.db
    .selectFrom('issuer_status_entries')
    .select(['list_id', 'idx', 'credential_id'])
    .execute();
  const ledger = await database.db
    .selectFrom('issuer_ledger')
    .select(['id', 'status_list_id', 'status_idx'])
    .execute();
  const lists = await database.db.selectFrom('issuer_status_lists').select(['id', 'state']).execute();
  return {
    entries: entries.length,
    distinctSlots: new Set(entries.map((e) => `${e.list_id}/${e.idx}`)).size,
    distinctCredentials: new Set(entries.map((e) => e.credential_id)).size,
    ledger: ledger.length,
    ledgerMatchesEntries: ledger.every((row) =>
      entries.some(
        (e) => e.credential_id === row.id && e.list_id === row.status_list_id && e.idx === row.status_idx,
      ),
    ),
    lists,
    perList: entries.reduce(
      (counts, e) => counts.set(e.list_id, (counts.get(e.list_id) ?? 0) + 1),
      new Map(),
    ),
  };
}

describe('parallel issuance on PostgreSQL', () => {
  let db: TestDatabase | undefined;

  beforeAll(async () => {
    if (await isPostgresAvailable()) db = await createPostgresDatabase();
  });
  afterAll(async () => {
    await db?.drop();
  });

  it('1,000 credentials issued at once by two instances: no index twice, one ledger row each', async (context) => {
    if (!db) return context.skip();
    const a = await instance(db.url);
    const b = await instance(db.url);
    try {
      const holder = await newHolder('ES256');
      const results = await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          (i % 2 ? a : b).pipeline.issue({
            configuration: nationalId,
            subject: { sub: people[i % people.length]?.individualId as string, claims: {} },
            holderJwks: [holder.publicJwk],
          }),
        ),
      );
      expect(results.every((r) => r.kind === 'issued')).toBe(true);
      const check = await uniqueness(a.database);
      expect(check).toMatchObject({
        entries: 1000,
        distinctSlots: 1000,
        distinctCredentials: 1000,
        ledger: 1000,
      });
      expect(check.ledgerMatchesEntries).toBe(true);
    } finally {
      await a.database.close();
      await b.database.close();
    }
  }, 120_000);

  it('small lists fill up under parallel load, each to its last index: new lists are opened, still no index twice', async (context) => {
    if (!db) return context.skip();
    const fresh = await createPostgresDatabase();
    const a = await instance(fresh.url, { listSize: 256 });
    const b = await instance(fresh.url, { listSize: 256 });
    try {
      const holder = await newHolder('ES256');
      await Promise.all(
        // More than two lists hold: two instances starting at one moment may each open one.
        Array.from({ length: 600 }, (_, i) =>
          (i % 2 ? a : b).pipeline.issue({
            configuration: nationalId,
            subject: { sub: '5102030400', claims: {} },
            holderJwks: [holder.publicJwk],
          }),
        ),
      );
      const check = await uniqueness(a.database);
      expect(check).toMatchObject({ entries: 600, distinctSlots: 600, ledger: 600 });
      expect(check.lists.length).toBeGreaterThanOrEqual(3);
      const full = check.lists.filter((l) => l.state === 'full');
      expect(full.length).toBeGreaterThanOrEqual(1);
      // A full list has handed out every one of its 256 indices.
      for (const list of full) expect(check.perList.get(list.id)).toBe(256);
    } finally {
      await a.database.close();
      await b.database.close();
      await fresh.drop();
    }
  }, 120_000);
});

/** A dc+sd-jwt signer whose `call`-th signature (counted from 1) fails as an unreachable HSM would. */
function signerFailingAt(call: number): FormatSignerRegistry {
  let calls = 0;
  return {
    formats: () => ['dc+sd-jwt'],
    get: () => ({
      formats: ['dc+sd-jwt'],
      metadata: () => ({}),
      sign: async () => {
        calls++;
        if (calls === call) throw new Error('HSM unavailable');
        return 'signed';
      },
    }),
  };
}

describe.each(DIALECTS)('one c_nonce in two requests issued at once ($dialect)', (dialect) => {
  const testDatabase = databaseForAllTests(dialect);

  it('one credential per nonce; the refused request leaves no ledger row, status entry or spent mark of its own, and takes nothing of the others', async (context) => {
    const db = testDatabase.current;
    if (!db) return context.skip();
    const a = await instance(db.url);
    const b = await instance(db.url);
    try {
      const holder = await newHolder('ES256');
      const nonces = Array.from({ length: 40 }, () => a.nonces.issue());
      // Each nonce twice: both at instance a (one group-commit batch) for the even ones, at a and b for the odd.
      const requests = nonces.flatMap((nonce, i) => [
        { nonce, at: a },
        { nonce, at: i % 2 ? b : a },
      ]);
      const outcomes = await Promise.allSettled(
        requests.map(({ nonce, at }, i) =>
          at.pipeline.issue({
            configuration: nationalId,
            subject: { sub: people[i % people.length]?.individualId as string, claims: {} },
            holderJwks: [holder.publicJwk],
            alsoCommit: (trx) => consumeNonces(trx, at.nonces, requireGenuineNonces(at.nonces, [nonce])),
          }),
        ),
      );
      const issued = outcomes.flatMap((o) =>
        o.status === 'fulfilled' && o.value.kind === 'issued' ? o.value.credentialIds : [],
      );
      const refused = outcomes.filter((o) => o.status === 'rejected');
      expect(issued).toHaveLength(nonces.length);
      for (const [i, nonce] of nonces.entries()) {
        const pair = [outcomes[2 * i], outcomes[2 * i + 1]];
        expect(pair.map((o) => o?.status).sort(), nonce).toEqual(['fulfilled', 'rejected']);
      }
      for (const r of refused) expect((r as PromiseRejectedResult).reason.error).toBe('invalid_nonce');
      const check = await uniqueness(a.database);
      expect(check).toMatchObject({
        entries: nonces.length,
        distinctSlots: nonces.length,
        distinctCredentials: nonces.length,
        ledger: nonces.length,
      });
      expect(check.ledgerMatchesEntries).toBe(true);
      const ledgerIds = (await a.database.db.selectFrom('issuer_ledger').select('id').execute()).map(
        (r) => r.id,
      );
      expect(ledgerIds.sort()).toEqual([...issued].sort());
      const spent = await a.database.db.selectFrom('issuer_spent_nonces').select('value').execute();
      expect(spent.map((r) => r.value).sort()).toEqual([...nonces].sort());
    } finally {
      await a.database.close();
      await b.database.close();
    }
  }, 60_000);
});

describe.each(DIALECTS)('a failure while signing rolls everything back ($dialect)', (dialect) => {
  const testDatabase = databaseForAllTests(dialect);

  it('no ledger row and no status entry remain', async (context) => {
    const db = testDatabase.current;
    if (!db) return context.skip();
    // The second credential of the batch fails: the first must not stay behind either.
    const failing = signerFailingAt(2);
    const { database, pipeline } = await instance(db.url, { signers: failing });
    try {
      await new ConfigurationStore(database.db).create(nationalId);
      const holders = [await newHolder('ES256'), await newHolder('ES256')];
      await expect(
        pipeline.issue({
          configuration: nationalId,
          subject: { sub: '5102030400', claims: {} },
          holderJwks: holders.map((h) => h.publicJwk),
        }),
      ).rejects.toThrow('HSM unavailable');
      const check = await uniqueness(database);
      expect(check.entries).toBe(0);
      expect(check.ledger).toBe(0);
    } finally {
      await database.close();
    }
  });
});

describe.each(DIALECTS)('status entries of failed and repeated issuances ($dialect)', (dialect) => {
  const testDatabase = databaseForAllTests(dialect);

  it('a failed issuance gives its entry back; a counter set back makes issuances allocate again, never share an index', async (context) => {
    const db = testDatabase.current;
    if (!db) return context.skip();
    const firstFails = signerFailingAt(1);
    const a = await instance(db.url, { signers: firstFails });
    const holder = await newHolder('ES256');
    const issue = (pipeline: IssuancePipeline) =>
      pipeline.issue({
        configuration: nationalId,
        subject: { sub: '5102030400', claims: {} },
        holderJwks: [holder.publicJwk],
      });
    try {
      await expect(issue(a.pipeline)).rejects.toThrow('HSM unavailable');
      for (let i = 0; i < 3; i++) expect((await issue(a.pipeline)).kind).toBe('issued');
      const seqs = await a.database.db
        .selectFrom('issuer_status_entries')
        .select('seq')
        .orderBy('seq')
        .execute();
      // The failed issuance's number went to the next credential: none is left unused.
      expect(seqs.map((r) => r.seq)).toEqual([0, 1, 2]);

      // A counter set back (as a reservation lost with the last commits would leave it): another instance
      // hands out the numbers again, the (list, seq) key refuses them, and the issuance allocates again.
      await a.database.db.updateTable('issuer_status_lists').set({ next_seq: 0 }).execute();
      const b = await instance(db.url, { signers: firstFails });
      try {
        for (let i = 0; i < 2; i++) expect((await issue(b.pipeline)).kind).toBe('issued');
      } finally {
        await b.database.close();
      }
      const check = await uniqueness(a.database);
      expect(check).toMatchObject({ entries: 5, distinctSlots: 5, distinctCredentials: 5, ledger: 5 });
      expect(check.ledgerMatchesEntries).toBe(true);
    } finally {
      await a.database.close();
    }
  });
});
