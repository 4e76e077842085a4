import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src/platform/db/index.js';
import { parseCsv } from '../../src/platform/registry/csv.js';
import {
  CsvIdentityRegistry,
  HttpIdentityRegistry,
  MappedSqlIdentityRegistry,
  openRegistry,
  RegistryUnavailableError,
} from '../../src/platform/registry/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

const INSURANCE_COLUMNS = {
  individualId: 'policy_no',
  fullName: 'holder_name',
  birthDate: 'dob',
  email: 'mail',
  passwordHash: 'pw',
};

describe('CSV parsing', () => {
  it('reads quoted fields with commas, doubled quotes, CRLF and a byte-order mark', () => {
    expect(parseCsv('\ufeffa,b\r\n"x, y","say ""hi"""\n\nlast,\n')).toEqual([
      ['a', 'b'],
      ['x, y', 'say "hi"'],
      ['last', ''],
    ]);
  });

  it('refuses an unterminated quote', () => {
    expect(() => parseCsv('a\n"open')).toThrow(/unterminated/);
  });
});

describe('CSV registry', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'attesta-csv-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  it('indexes rows by the mapped id column and maps the other columns', async () => {
    const file = write(
      'members.csv',
      'policy_no,holder_name,dob,mail,ignored\nP-1,"Okafor, Amara",1970-03-13,a@example.org,x\nP-2,Lucas Moreau,1985-01-02,,y\n',
    );
    const registry = await CsvIdentityRegistry.open({ file, columns: INSURANCE_COLUMNS });
    expect(registry.size).toBe(2);
    expect(await registry.findByIndividualId('P-1')).toEqual({
      individualId: 'P-1',
      fullName: 'Okafor, Amara',
      birthDate: '1970-03-13',
      email: 'a@example.org',
    });
    expect(await registry.findByIndividualId('P-2')).toEqual({
      individualId: 'P-2',
      fullName: 'Lucas Moreau',
      birthDate: '1985-01-02',
    });
    expect(await registry.findByIndividualId('P-3')).toBeUndefined();
  });

  it('treats an id on two rows as no match', async () => {
    const file = write(
      'dup.csv',
      'individualId,fullName,birthDate\n7,A B,2000-01-01\n7,C D,2001-01-01\n8,E F,2002-02-02\n',
    );
    const registry = await CsvIdentityRegistry.open({ file });
    expect(await registry.findByIndividualId('7')).toBeUndefined();
    expect((await registry.findByIndividualId('8'))?.fullName).toBe('E F');
  });

  it('stops at start-up when a required column is missing, naming the field but no data', async () => {
    const file = write('bad.csv', 'individualId,fullName\n1,Secret Person\n');
    await expect(CsvIdentityRegistry.open({ file })).rejects.toThrow(/no column for birthDate/);
    await expect(CsvIdentityRegistry.open({ file })).rejects.not.toThrow(/Secret/);
    await expect(CsvIdentityRegistry.open({ file: join(dir, 'missing.csv') })).rejects.toThrow(/ENOENT/);
  });
});

describe.each(DIALECTS)('mapped SQL registry on $dialect', ({ dialect, create }) => {
  let testDb: TestDatabase | undefined;

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    const database = openDatabase<Record<string, Record<string, unknown>>>(testDb.url);
    const db = database.db as Kysely<unknown>;
    await db.schema
      .createTable('insurance_members')
      .addColumn('policy_no', 'varchar(20)')
      .addColumn('holder_name', 'varchar(100)')
      .addColumn('dob', 'varchar(10)')
      .addColumn('mail', 'varchar(100)')
      .addColumn('pw', 'varchar(200)')
      .execute();
    await sql`insert into insurance_members values
      ('P-1', 'Amara Okafor', '1970-03-13', 'a@example.org', 'scrypt$x'),
      ('P-2', 'Lucas Moreau', '1985-01-02', null, null),
      ('P-9', 'Twin One', '1990-01-01', null, null),
      ('P-9', 'Twin Two', '1990-01-01', null, null)`.execute(db);
    await database.close();
  });

  afterEach(async () => {
    await testDb?.drop();
  });

  it('reads the configured table and columns; a duplicated id is no match', async () => {
    const registry = MappedSqlIdentityRegistry.open(testDb?.url ?? '', {
      table: 'insurance_members',
      columns: INSURANCE_COLUMNS,
    });
    try {
      expect(await registry.findByIndividualId('P-1')).toEqual({
        individualId: 'P-1',
        fullName: 'Amara Okafor',
        birthDate: '1970-03-13',
        email: 'a@example.org',
        passwordHash: 'scrypt$x',
      });
      expect(await registry.findByIndividualId('P-2')).toEqual({
        individualId: 'P-2',
        fullName: 'Lucas Moreau',
        birthDate: '1985-01-02',
      });
      expect(await registry.findByIndividualId('P-9')).toBeUndefined();
      expect(await registry.findByIndividualId("P-1' or '1'='1")).toBeUndefined();
    } finally {
      await registry.close();
    }
  });

  it('is selected by configuration (registry.sql)', async () => {
    const registry = await openRegistry({
      database: testDb?.url ?? '',
      seedDemo: false,
      sql: { table: 'insurance_members', columns: INSURANCE_COLUMNS },
    });
    try {
      expect((await registry.findByIndividualId('P-2'))?.fullName).toBe('Lucas Moreau');
    } finally {
      await registry.close();
    }
  });

  it('refuses table or column names that are not plain identifiers', () => {
    expect(() =>
      MappedSqlIdentityRegistry.open(testDb?.url ?? '', {
        table: 'members; drop table x',
        columns: INSURANCE_COLUMNS,
      }),
    ).toThrow(/not an SQL identifier/);
  });
});

describe('HTTP registry (Sunbird RC style search)', () => {
  let server: Server;
  let url: string;
  const requests: { body: unknown; authorization?: string }[] = [];
  /** What the fake registry answers, by the id filtered on. */
  const answers: Record<string, (res: import('node:http').ServerResponse) => void> = {};

  const readBody = async (req: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
      filters: { policyNumber: { eq: string } };
    };
  };

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const body = await readBody(req);
      requests.push({ body, authorization: req.headers.authorization });
      const answer = answers[body.filters.policyNumber.eq];
      if (answer) answer(res);
      else res.writeHead(200, { 'content-type': 'application/json' }).end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/api/v1/Member/search`;
    const json = (value: unknown) => (res: import('node:http').ServerResponse) =>
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    answers['P-1'] = json([
      {
        policyNumber: 'P-1',
        holder: { name: 'Amara Okafor', birthDate: '1970-03-13' },
        contact: { phone: 5550101 },
      },
    ]);
    answers['P-2'] = json({
      result: [{ policyNumber: 'P-2', holder: { name: 'X', birthDate: '2000-01-01' } }],
    });
    answers['P-9'] = json([
      { policyNumber: 'P-9', holder: { name: 'Twin One', birthDate: '1990-01-01' } },
      { policyNumber: 'P-9', holder: { name: 'Twin Two', birthDate: '1990-01-01' } },
    ]);
    answers.wrong = json([{ policyNumber: 'someone-else', holder: { name: 'Y', birthDate: '2000-01-01' } }]);
    answers.slow = (res) => {
      setTimeout(() => res.writeHead(200).end('[]'), 2000).unref();
    };
    answers.broken = (res) => res.writeHead(500).end('internal');
    answers.notalist = json({ message: 'ok' });
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const registry = (timeoutMs = 500) =>
    new HttpIdentityRegistry({
      searchUrl: url,
      timeoutMs,
      authorization: 'Bearer registry-token',
      fields: {
        individualId: 'policyNumber',
        fullName: 'holder.name',
        birthDate: 'holder.birthDate',
        phone: 'contact.phone',
      },
    });

  it('sends a filter search and maps exactly one match', async () => {
    expect(await registry().findByIndividualId('P-1')).toEqual({
      individualId: 'P-1',
      fullName: 'Amara Okafor',
      birthDate: '1970-03-13',
      phone: '5550101',
    });
    const last = requests.at(-1);
    expect(last?.body).toEqual({ filters: { policyNumber: { eq: 'P-1' } }, limit: 2, offset: 0 });
    expect(last?.authorization).toBe('Bearer registry-token');
    expect((await registry().findByIndividualId('P-2'))?.individualId).toBe('P-2');
  });

  it('treats zero matches, several matches and an entity with another id as no match', async () => {
    expect(await registry().findByIndividualId('P-404')).toBeUndefined();
    expect(await registry().findByIndividualId('P-9')).toBeUndefined();
    expect(await registry().findByIndividualId('wrong')).toBeUndefined();
  });

  it('fails with RegistryUnavailableError on timeout, error status or a non-list answer, without the id', async () => {
    const started = Date.now();
    const timeout = registry(200).findByIndividualId('slow');
    await expect(timeout).rejects.toThrow(RegistryUnavailableError);
    await expect(timeout).rejects.toThrow(/timeout/);
    expect(Date.now() - started).toBeLessThan(1500);
    await expect(registry().findByIndividualId('broken')).rejects.toThrow(/status 500/);
    await expect(registry().findByIndividualId('notalist')).rejects.toThrow(/not a list/);
    await expect(registry().findByIndividualId('broken')).rejects.not.toThrow(/broken/);
  });

  it('is selected by configuration (registry.adapter = http) and unknown fields are refused', async () => {
    const selected = await openRegistry({
      adapter: 'http',
      database: 'sqlite::memory:',
      seedDemo: false,
      http: {
        searchUrl: url,
        timeoutMs: 500,
        fields: { individualId: 'policyNumber', fullName: 'holder.name', birthDate: 'holder.birthDate' },
      },
    });
    expect((await selected.findByIndividualId('P-1'))?.fullName).toBe('Amara Okafor');
    await expect(
      openRegistry({
        adapter: 'http',
        database: 'sqlite::memory:',
        seedDemo: false,
        http: { searchUrl: url, timeoutMs: 500, fields: { individualId: 'a', surname: 'b' } },
      }),
    ).rejects.toThrow(/registry.http.fields.surname: not an identity field/);
  });
});
