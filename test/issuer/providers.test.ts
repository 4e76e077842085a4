import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CsvProvider,
  DataProviders,
  HttpProvider,
  lookupKey,
  ProviderError,
  parseCsv,
  SqlProvider,
} from '../../src/issuer/providers/index.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { demoIdentities } from '../../src/platform/registry/index.js';
import { createSqliteDatabase, DIALECTS, isPostgresAvailable } from '../helpers/databases.js';

describe('lookup key', () => {
  it('comes from the configured token claim', () => {
    expect(lookupKey(undefined, { sub: 'a' })).toBe('a');
    expect(
      lookupKey(
        { type: 'csv', key: 'policy.number', file: 'x.csv', keyColumn: 'k' },
        { policy: { number: 42 } },
      ),
    ).toBe('42');
    expect(lookupKey({ type: 'registry', key: 'member_id' }, { sub: 'a' })).toBeUndefined();
    expect(lookupKey({ type: 'registry', key: 'sub' }, { sub: { nested: true } })).toBeUndefined();
  });
});

describe('CSV provider', () => {
  it('reads the demo insurance policies, quoted fields and pending records', async () => {
    const provider = new CsvProvider('config/demo/insurance-policies.csv', 'policy_number');
    const found = await provider.lookup('POL-0700100');
    expect(found).toMatchObject({
      kind: 'found',
      record: { holder_name: 'Amara Okafor', dob: '1970-03-13' },
    });
    expect(await provider.lookup('POL-0000000')).toEqual({ kind: 'missing' });
    expect(await provider.lookup('POL-0799999')).toEqual({ kind: 'pending', interval: 60 });
    expect(parseCsv('a,b\n"x, ""y""",2\r\n\n')).toEqual([
      ['a', 'b'],
      ['x, "y"', '2'],
    ]);
  });

  it('refuses an ambiguous key and reports an unreadable file', async () => {
    const dir = createSqliteDatabase();
    const file = join(dir.url.slice('sqlite:'.length), '..', 'dup.csv');
    writeFileSync(file, 'id,name\n1,A\n1,B\n');
    await expect(new CsvProvider(file, 'id').lookup('1')).rejects.toThrow(
      'the CSV data provider found several records for one key',
    );
    await expect(new CsvProvider(`${file}.missing`, 'id').lookup('1')).rejects.toThrow(ProviderError);
    await dir.drop();
  });
});

describe.each(DIALECTS)('SQL provider ($dialect)', ({ dialect, create }) => {
  it('runs the saved query with the key as a bound parameter', async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    const db = await create();
    const database = openDatabase<unknown>(db.url);
    try {
      await sql`CREATE TABLE licences (holder varchar(20), number varchar(20), categories varchar(20))`.execute(
        database.db,
      );
      await sql`INSERT INTO licences VALUES ('5102030400', 'DL1', 'B'), ('x'' OR ''1''=''1', 'DL2', 'A'), ('dup', 'D1', 'B'), ('dup', 'D2', 'B')`.execute(
        database.db,
      );
      const provider = new SqlProvider(
        database,
        'SELECT number, categories FROM licences WHERE holder = :key',
      );
      expect(await provider.lookup('5102030400')).toEqual({
        kind: 'found',
        record: { number: 'DL1', categories: 'B' },
      });
      // An injection attempt is only a value.
      expect(await provider.lookup("' OR '1'='1")).toEqual({ kind: 'missing' });
      await expect(provider.lookup('dup')).rejects.toThrow(
        'the SQL data provider found several records for one key',
      );
      const broken = new SqlProvider(database, 'SELECT nothing FROM nowhere WHERE x = :key');
      await expect(broken.lookup('1')).rejects.toThrow('the SQL data provider failed');
      expect(() => new SqlProvider(database, 'UPDATE licences SET number = :key')).toThrow('single SELECT');
    } finally {
      await database.close();
      await db.drop();
    }
  });
});

describe('HTTP provider', () => {
  let server: Server;
  let url: string;
  const hits = new Map<string, number>();

  beforeAll(async () => {
    server = createServer((request, response) => {
      const key = decodeURIComponent(request.url?.split('/').at(-1) ?? '');
      hits.set(key, (hits.get(key) ?? 0) + 1);
      const count = hits.get(key) as number;
      if (key === 'hang') return; // never answers
      if (key === 'flaky' && count < 3) return response.writeHead(503).end();
      if (key === 'down') return response.writeHead(500).end();
      if (key === 'later') return response.writeHead(202, { 'retry-after': '7' }).end();
      if (key === 'gone') return response.writeHead(404).end();
      if (key === 'forbidden') return response.writeHead(403).end();
      if (key === 'list') return response.writeHead(200, { 'content-type': 'application/json' }).end('[1]');
      response
        .writeHead(200, { 'content-type': 'application/json' })
        .end(JSON.stringify({ id: key, ok: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/people/{key}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  // Generous default: a loaded CI machine took over 200 ms to answer a loopback request once.
  const provider = (retries = 2, timeoutMs = 2000) =>
    new HttpProvider({ url, retries, timeoutMs, backoffMs: 10 });

  it('maps 200, 404 and 202 to found, missing and pending', async () => {
    expect(await provider().lookup('a b/c')).toEqual({ kind: 'found', record: { id: 'a b/c', ok: true } });
    expect(await provider().lookup('gone')).toEqual({ kind: 'missing' });
    expect(await provider().lookup('later')).toEqual({ kind: 'pending', interval: 7 });
  });

  it('retries 5xx and timeouts a bounded number of times', async () => {
    expect(await provider(2).lookup('flaky')).toMatchObject({ kind: 'found' });
    expect(hits.get('flaky')).toBe(3);
    await expect(provider(1).lookup('down')).rejects.toThrow('the HTTP data provider answered 500');
    expect(hits.get('down')).toBe(2);
    const started = Date.now();
    await expect(provider(2, 100).lookup('hang')).rejects.toThrow('the HTTP data provider timed out');
    expect(hits.get('hang')).toBe(3);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not retry a client error or a malformed answer', async () => {
    await expect(provider().lookup('forbidden')).rejects.toThrow('the HTTP data provider answered 403');
    expect(hits.get('forbidden')).toBe(1);
    await expect(provider().lookup('list')).rejects.toThrow(
      'the HTTP data provider did not send a JSON object',
    );
  });
});

describe('registry provider', () => {
  it('reads the identity registry the platform configured', async () => {
    const people = demoIdentities();
    const providers = new DataProviders({
      findByIndividualId: async (id) => people.find((p) => p.individualId === id),
      close: async () => {},
    });
    expect(await providers.for(undefined).lookup('5102030400')).toMatchObject({
      kind: 'found',
      record: { fullName: 'Amara Okafor' },
    });
    expect(await providers.for({ type: 'registry' }).lookup('0')).toEqual({ kind: 'missing' });
    // Providers are built once per configuration.
    const csv = {
      type: 'csv' as const,
      file: 'config/demo/driving-licences.csv',
      keyColumn: 'individual_id',
    };
    expect(providers.for(csv)).toBe(providers.for({ ...csv }));
    await providers.close();
  });
});
