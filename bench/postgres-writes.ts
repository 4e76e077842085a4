// The issuing transaction's writes alone on PostgreSQL, through the issuer's own Ledger, StatusAllocator,
// NonceStore and NotificationStore on fresh databases migrated as the issuer's (ATTESTA_TEST_POSTGRES_URL's
// server, dropped afterwards): one transaction per credential through Kysely (the issuer before session 26)
// beside the group commit (units of one turn in one transaction on a pipelined connection: now), and beside
// the group commit with a credential's six writes as one statement (an option measured, not taken), alternating
// rounds, 16 credentials in flight. Printed per side: CPU µs per credential of this process and of the
// PostgreSQL backends that served it (/proc/<pid>/stat of each backend, so the server has to be on this
// machine and readable: 10 ms ticks, so use enough credentials). Ratios, never a threshold.
//
//   npx tsx bench/postgres-writes.ts [rounds] [credentials per round]
import { readFileSync } from 'node:fs';
import { cpuUsage } from 'node:process';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { type IssuerTables, issuerMigrations } from '../src/issuer/database.js';
import { ISSUANCE_MIGRATION_SET, issuanceMigrations } from '../src/issuer/issuance/database.js';
import { Ledger, newCredentialId } from '../src/issuer/ledger/index.js';
import { NonceStore } from '../src/issuer/nonce-store.js';
import { NotificationStore } from '../src/issuer/notification/store.js';
import { PROTOCOL_MIGRATION_SET, protocolMigrations } from '../src/issuer/protocol-database.js';
import { StatusAllocator, StatusPermutations } from '../src/issuer/status/index.js';
import {
  type Commit,
  migrateToLatest,
  openDatabase,
  prepareStatement,
  transactionPerUnit,
} from '../src/platform/db/index.js';
import { createPostgresDatabase } from '../test/helpers/databases.js';

const IN_FLIGHT = 16;
const PEOPLE = 1000;
const TICK_MICROS = 1e6 / 100; // USER_HZ

/** CPU µs of the server processes behind this application name (user + system, from /proc). */
async function backendMicros(admin: pg.Client, application: string): Promise<number> {
  const { rows } = await admin.query<{ pid: number }>(
    'select pid from pg_stat_activity where application_name = $1',
    [application],
  );
  let ticks = 0;
  for (const { pid } of rows) {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    ticks += Number(fields[11]) + Number(fields[12]);
  }
  return ticks * TICK_MICROS;
}

type Side =
  | 'one transaction per credential'
  | 'group commit, pipelined'
  | 'group commit, pipelined, one statement per credential';

/**
 * The six writes of a credential as one statement (data-modifying CTEs; the conditional inserts report
 * whether they wrote): an option measured, not what the issuer does — its stores each write their own rows.
 */
const ALL_IN_ONE = prepareStatement<{ nonce: string; entry: string }>(
  `with "nonce" as (insert into "issuer_spent_nonces" ("value", "expires_at") values ($1, $2) on conflict ("value") do nothing returning 1),
  "entry" as (insert into "issuer_status_entries" ("list_id", "seq", "idx", "credential_id", "status", "updated_at") values ($3, $4, $5, $6, 0, $7) on conflict ("list_id", "seq") do nothing returning 1),
  "ledger" as (insert into "issuer_ledger" ("id", "configuration_id", "format", "subject_hash", "status", "status_refs", "status_list_id", "status_idx", "issued_at", "expires_at") values ($8, $9, $10, $11, 'valid', $12, $13, $14, $15, $16)),
  "attributes" as (insert into "issuer_ledger_attributes" ("credential_id", "name", "value_hash") values ($17, $18, $19), ($20, $21, $22)),
  "notification" as (insert into "issuer_notifications" ("id", "owner", "credential_ids", "configuration_id", "event", "event_description", "created_at", "notified_at") values ($23, $24, $25, $26, null, null, $27, null))
  select (select count(*) from "nonce") as "nonce", (select count(*) from "entry") as "entry"`,
);

async function writer(side: Side, application: string) {
  const target = await createPostgresDatabase();
  const url = new URL(target.url);
  url.searchParams.set('application_name', application);
  const database = openDatabase<IssuerTables>(url.toString());
  await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
  await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
  await migrateToLatest(database.db as Kysely<unknown>, PROTOCOL_MIGRATION_SET, protocolMigrations);
  const commit: Commit =
    side === 'one transaction per credential'
      ? transactionPerUnit(database.db as Kysely<unknown>)
      : database.commit;
  const secret = Buffer.alloc(32, 7);
  const ledger = new Ledger(secret);
  const allocator = new StatusAllocator(database.db as Kysely<never>, new StatusPermutations(secret), {
    commit,
  });
  const nonces = new NonceStore(database.db, 300, secret);
  const notifications = new NotificationStore(database.db as Kysely<never>);
  let issued = 0;

  async function issueOne(): Promise<void> {
    const entry = await allocator.allocate('token', 'status');
    const nonce = nonces.issue();
    const id = newCredentialId(false);
    const person = issued++ % PEOPLE;
    const attributes = { family_name: `family ${person}`, birthdate: `19${person % 100}-01-01` };
    if (side === 'group commit, pipelined, one statement per credential') {
      const now = Date.now();
      const statusRefs = JSON.stringify([{ listId: entry.listId, idx: entry.idx, purpose: 'status' }]);
      const hashes = Object.entries(attributes).flatMap(([name, value]) => [
        id,
        name,
        ledger.hash(`${name}\u0000${value}`),
      ]);
      await commit(async (trx) => {
        const written = (
          await ALL_IN_ONE.run(trx, [
            nonce,
            now + 300_000,
            entry.listId,
            entry.seq,
            entry.idx,
            id,
            now,
            id,
            'national_id_sd_jwt',
            'dc+sd-jwt',
            ledger.hash(`person ${person}`),
            statusRefs,
            entry.listId,
            entry.idx,
            now,
            now + 365 * 86_400_000,
            ...hashes,
            NotificationStore.newId(),
            'owner',
            JSON.stringify([id]),
            'national_id_sd_jwt',
            now,
          ])
        ).rows[0];
        if (Number(written?.nonce) !== 1) throw new Error('nonce spent');
        if (Number(written?.entry) !== 1) throw new Error('index taken');
      });
      return;
    }
    await commit(async (trx) => {
      if (!(await nonces.spendIn(trx as never, nonce, Date.now() + 300_000))) throw new Error('nonce spent');
      if (!(await allocator.claim(trx as never, entry, id))) throw new Error('index taken');
      await ledger.record(trx as never, {
        id,
        configurationId: 'national_id_sd_jwt',
        format: 'dc+sd-jwt',
        subject: `person ${person}`,
        statusRefs: [{ listId: entry.listId, idx: entry.idx, purpose: 'status' }],
        issuedAt: Date.now(),
        expiresAt: Date.now() + 365 * 86_400_000,
        attributes,
      });
      await notifications.createIn(trx as never, NotificationStore.newId(), 'owner', 'national_id_sd_jwt', [
        id,
      ]);
    });
  }

  return {
    side,
    application,
    /** CPU µs this process spent writing `count` credentials, IN_FLIGHT at a time. */
    async write(count: number): Promise<number> {
      const start = cpuUsage();
      for (let i = 0; i < count; i += IN_FLIGHT)
        await Promise.all(Array.from({ length: IN_FLIGHT }, issueOne));
      const used = cpuUsage(start);
      return used.user + used.system;
    },
    async close() {
      await database.close();
      await target.drop();
    },
  };
}

const rounds = Number(process.argv[2] ?? 6);
const perRound = Number(process.argv[3] ?? 2000);
const admin = new pg.Client({
  connectionString: process.env.ATTESTA_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
});
await admin.connect();
const sides: Side[] = [
  'one transaction per credential',
  'group commit, pipelined',
  'group commit, pipelined, one statement per credential',
];
const writers = await Promise.all(sides.map((side, i) => writer(side, `attesta-bench-writes-${i}`)));
const client = sides.map(() => 0);
const server = sides.map(() => 0);
for (const w of writers) await w.write(IN_FLIGHT * 8); // warm-up: statements prepared, lists open
for (let round = 0; round < rounds; round++) {
  const order = sides.map((_, i) => i);
  for (const i of round % 2 ? order.reverse() : order) {
    const w = writers[i] as Awaited<ReturnType<typeof writer>>;
    const before = await backendMicros(admin, w.application);
    client[i] = (client[i] ?? 0) + (await w.write(perRound));
    server[i] = (server[i] ?? 0) + (await backendMicros(admin, w.application)) - before;
  }
}
await Promise.all(writers.map((w) => w.close()));
await admin.end();
const credentials = rounds * perRound;
console.log(`${credentials} credentials per side, ${IN_FLIGHT} in flight, ${rounds} alternating rounds\n`);
console.log('| side | issuer CPU µs per credential | PostgreSQL backends CPU µs per credential |');
console.log('| --- | --- | --- |');
for (const [i, side] of sides.entries())
  console.log(
    `| ${side} | ${((client[i] ?? 0) / credentials).toFixed(1)} | ${((server[i] ?? 0) / credentials).toFixed(1)} |`,
  );
