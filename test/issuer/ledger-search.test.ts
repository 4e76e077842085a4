import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ISSUANCE_MIGRATION_SET,
  type IssuanceTables,
  issuanceMigrations,
} from '../../src/issuer/issuance/index.js';
import { Ledger, type LedgerTables } from '../../src/issuer/ledger/index.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

describe.each(DIALECTS)('the ledger search by indexed attributes on $dialect', ({ dialect, create }) => {
  let target: TestDatabase | undefined;
  let database: Database<IssuanceTables>;
  const ledger = new Ledger(Buffer.alloc(32, 7));

  const record = (id: string, subject: string, attributes: Record<string, string>) =>
    database.commit((trx: Kysely<LedgerTables>) =>
      ledger.record(trx, {
        id,
        configurationId: 'national_id_sd_jwt',
        format: 'dc+sd-jwt',
        subject,
        statusRefs: [],
        issuedAt: Number(id.slice(-1)) * 1000,
        attributes,
      }),
    );
  const ids = async (attributes: Record<string, string>, subject?: string) =>
    (await ledger.search(database.db as Kysely<LedgerTables>, { attributes, subject, limit: 10 }))
      .map((entry) => entry.id)
      .sort();

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    target = await create();
    database = openDatabase<IssuanceTables>(target.url);
    await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
    await record('urn:uuid:c1', 'amara', { family_name: 'Okafor', birthdate: '1990-01-01' });
    await record('urn:uuid:c2', 'amara', { family_name: 'Okafor', birthdate: '1990-01-01' });
    await record('urn:uuid:c3', 'chidi', { family_name: 'Okafor', birthdate: '1985-05-05' });
    await record('urn:uuid:c4', 'lena', { family_name: 'Berg' });
  });
  afterEach(async () => {
    await database?.close();
    await target?.drop();
  });

  it('finds the credentials whose every given attribute matches, and nothing for a value no one has', async () => {
    expect(await ids({ family_name: 'Okafor' })).toEqual(['urn:uuid:c1', 'urn:uuid:c2', 'urn:uuid:c3']);
    expect(await ids({ family_name: 'Okafor', birthdate: '1990-01-01' })).toEqual([
      'urn:uuid:c1',
      'urn:uuid:c2',
    ]);
    expect(await ids({ family_name: 'Okafor' }, 'chidi')).toEqual(['urn:uuid:c3']);
    expect(await ids({ family_name: 'Berg', birthdate: '1990-01-01' })).toEqual([]);
    expect(await ids({ family_name: 'okafor' })).toEqual([]);
    // The name is part of the match: Okafor as a birthdate is not Okafor as a family name.
    expect(await ids({ birthdate: 'Okafor' })).toEqual([]);
  });

  it('records ten indexed attributes (the most a configuration may name) in one go, each found; none is fine too', async () => {
    const ten = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`a${i}`, `v${i}`]));
    await record('urn:uuid:c5', 'ngozi', ten);
    await record('urn:uuid:c6', 'ngozi', {});
    for (let i = 0; i < 10; i++) expect(await ids({ [`a${i}`]: `v${i}` })).toEqual(['urn:uuid:c5']);
    expect(await ids(ten)).toEqual(['urn:uuid:c5']);
    expect(await ids({ a0: 'v1' })).toEqual([]);
    expect((await ledger.get(database.db as Kysely<LedgerTables>, 'urn:uuid:c6'))?.id).toBe('urn:uuid:c6');
  });
});
