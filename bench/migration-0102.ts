// `npx tsx bench/migration-0102.ts [entries] [sqlite|postgres]`: how long migration 0102 (status entries
// rekeyed by (list, seq)) takes on a table of that many entries, as an upgrade would run it. The entries
// are written as the issuer before 0102 wrote them (lists of 131,072 indices, a credential id each), then
// the issuer's own migrator applies 0102. Prints the wall time of the migration and the file or table size.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Kysely, sql } from 'kysely';
import { ISSUANCE_MIGRATION_SET, issuanceMigrations } from '../src/issuer/issuance/database.js';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.js';

const entries = Number(process.argv[2] ?? 1_000_000);
const dialect = process.argv[3] ?? 'sqlite';
const LIST_SIZE = 131_072;
const ROWS_PER_INSERT = 500;

const folder = mkdtempSync(join(tmpdir(), 'attesta-0102-'));
const url = dialect === 'postgres' ? await freshPostgres() : `sqlite:${join(folder, 'issuer.sqlite')}`;

async function freshPostgres(): Promise<string> {
  const name = `attesta_0102_${process.pid}`;
  const admin = openDatabase<unknown>('postgres://postgres@127.0.0.1:5432/postgres');
  await sql.raw(`create database ${name}`).execute(admin.db as Kysely<unknown>);
  await admin.close();
  return `postgres://postgres@127.0.0.1:5432/${name}`;
}

const database = openDatabase<unknown>(url);
const db = database.db as Kysely<unknown>;
const before = Object.fromEntries(Object.entries(issuanceMigrations).filter(([name]) => name < '0102'));
await migrateToLatest(db, ISSUANCE_MIGRATION_SET, before);

const lists = Math.ceil(entries / LIST_SIZE);
const now = Date.now();
for (let list = 0; list < lists; list++) {
  const listId = randomUUID();
  await sql`insert into "issuer_status_lists" ("id", "kind", "purpose", "size", "bits", "state", "version", "created_at") values (${listId}, 'bitstring', 'revocation', ${LIST_SIZE}, 1, ${list === lists - 1 ? 'open' : 'full'}, 1, ${now})`.execute(
    db,
  );
  const inList = Math.min(LIST_SIZE, entries - list * LIST_SIZE);
  for (let start = 0; start < inList; start += ROWS_PER_INSERT) {
    const rows = [];
    for (let idx = start; idx < Math.min(inList, start + ROWS_PER_INSERT); idx++) {
      rows.push(sql`(${listId}, ${idx}, ${`urn:uuid:${randomUUID()}`}, 0, ${now})`);
    }
    await sql`insert into "issuer_status_entries" ("list_id", "idx", "credential_id", "status", "updated_at") values ${sql.join(rows)}`.execute(
      db,
    );
  }
}

const started = performance.now();
await migrateToLatest(db, ISSUANCE_MIGRATION_SET, issuanceMigrations);
const seconds = (performance.now() - started) / 1000;
const { rows } = await sql<{ n: number | string }>`select count(*) as n from "issuer_status_entries"`.execute(
  db,
);
const size =
  dialect === 'postgres'
    ? (await sql<{ b: string }>`select pg_total_relation_size('issuer_status_entries') as b`.execute(db))
        .rows[0]?.b
    : statSync(join(folder, 'issuer.sqlite')).size;
console.log(
  `| ${dialect} | ${entries.toLocaleString('en')} | ${Number(rows[0]?.n).toLocaleString('en')} | ${seconds.toFixed(1)} s | ${(Number(size) / 1e6).toFixed(0)} MB |`,
);
await database.close();
if (dialect === 'postgres') {
  const admin = openDatabase<unknown>('postgres://postgres@127.0.0.1:5432/postgres');
  await sql.raw(`drop database ${new URL(url).pathname.slice(1)}`).execute(admin.db as Kysely<unknown>);
  await admin.close();
}
rmSync(folder, { recursive: true, force: true });
