// The issuing transaction's writes alone, through the issuer's own Ledger, StatusAllocator, NonceStore and
// NotificationStore on fresh SQLite files migrated as the issuer's, in group-committed batches of 16
// (`synchronous=FULL`, the WAL's fdatasync on the thread pool). Printed: CPU µs per credential (the commits' page
// writes and checkpoints included). Ratios, never a threshold.
//
//   npx tsx bench/issuing-writes.ts keys [rounds] [credentials per round]
//     random keys (UUIDv4 ledger ids, random notification ids: the issuer before 2026-12-07, night) beside
//     time-ordered ones (UUIDv7, time-prefixed notification ids: now), one file each, alternating rounds.
//   npx tsx bench/issuing-writes.ts status [rounds] [credentials per round]
//     status indices drawn at random (a read per credential, an insert under (list, idx) and an index on the
//     credential id: the issuer before 2026-12-07/08, session 25, replayed here on a file without migration
//     0102) beside allocated by counter and permutation (a range reserved per 256, an insert under
//     (list, seq): now), time-ordered keys on both, one file each, alternating rounds.
//   npx tsx bench/issuing-writes.ts processes [rounds] [credentials per round]
//     one process writing a file beside two processes writing one file together (as `serve issuer --workers 2`
//     does), alternating rounds; each process's CPU over the credentials it wrote.
import { spawn } from 'node:child_process';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuUsage } from 'node:process';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import { type IssuerTables, issuerMigrations } from '../src/issuer/database.js';
import { ISSUANCE_MIGRATION_SET, issuanceMigrations } from '../src/issuer/issuance/database.js';
import { Ledger, newCredentialId } from '../src/issuer/ledger/index.js';
import { NonceStore } from '../src/issuer/nonce-store.js';
import { NotificationStore } from '../src/issuer/notification/store.js';
import { PROTOCOL_MIGRATION_SET, protocolMigrations } from '../src/issuer/protocol-database.js';
import { StatusAllocator, StatusPermutations, type StatusTables } from '../src/issuer/status/index.js';
import { migrateToLatest, openDatabase, prepareStatement } from '../src/platform/db/index.js';

const BATCH = 16;
const PEOPLE = 1000;

interface Keys {
  credentialId(): string;
  notificationId(): string;
}
const RANDOM_KEYS: Keys = {
  credentialId: () => `urn:uuid:${randomUUID()}`,
  notificationId: () => randomBytes(18).toString('base64url'),
};
const TIME_ORDERED_KEYS: Keys = {
  credentialId: () => newCredentialId(false),
  notificationId: () => NotificationStore.newId(),
};

type Allocation = 'draws' | 'sequence';

/** An issuer's database on `path` (migrated as src/issuer/service.ts and protocol.ts do) and its writers. */
async function writer(path: string, keys: Keys, allocation: Allocation = 'sequence') {
  const database = openDatabase<IssuerTables>(`sqlite:${path}`);
  await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
  // The draws' side stops before the entries were keyed by (list, seq).
  const migrations =
    allocation === 'draws'
      ? Object.fromEntries(Object.entries(issuanceMigrations).filter(([name]) => name < '0102'))
      : issuanceMigrations;
  await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, migrations);
  await migrateToLatest(database.db as Kysely<unknown>, PROTOCOL_MIGRATION_SET, protocolMigrations);
  const secret = Buffer.alloc(32, 7); // the same on every process, as the master key's derivation is
  const ledger = new Ledger(secret);
  const allocator =
    allocation === 'draws'
      ? await drawingAllocator(database.db as Kysely<unknown>)
      : new StatusAllocator(database.db as Kysely<never>, new StatusPermutations(secret), {
          commit: database.commit,
        });
  const nonces = new NonceStore(database.db, 300, secret);
  const notifications = new NotificationStore(database.db as Kysely<never>);
  let issued = 0;

  async function issueOne(): Promise<void> {
    const entry = await allocator.allocate('token', 'status');
    const nonce = nonces.issue();
    const id = keys.credentialId();
    const person = issued++ % PEOPLE;
    await database.commit(async (trx) => {
      await nonces.spendIn(trx as never, nonce, Date.now() + 300_000);
      // Taken by the other process since the draw: the pipeline would draw again; here it is skipped.
      if (!(await allocator.claim(trx as never, entry as never, id))) return;
      await ledger.record(trx as never, {
        id,
        configurationId: 'national_id_sd_jwt',
        format: 'dc+sd-jwt',
        subject: `person ${person}`,
        statusRefs: [{ listId: entry.listId, idx: entry.idx, purpose: 'status' }],
        issuedAt: Date.now(),
        expiresAt: Date.now() + 365 * 86_400_000,
        attributes: { family_name: `family ${person}`, birthdate: `19${person % 100}-01-01` },
      });
      await notifications.createIn(trx as never, keys.notificationId(), 'owner', 'national_id_sd_jwt', [id]);
    });
  }

  return {
    /** CPU µs this process spent writing `count` credentials, 16 in flight. */
    async write(count: number): Promise<number> {
      const start = cpuUsage();
      for (let i = 0; i < count; i += BATCH) await Promise.all(Array.from({ length: BATCH }, issueOne));
      const used = cpuUsage(start);
      return used.user + used.system;
    },
    close: () => database.close(),
  };
}

// The allocator before session 25 (src/issuer/status/allocator.ts at 6b7cd0d), its two statements as they
// were: a random index, read to see it is free; inserted under the (list, idx) primary key.
const IS_TAKEN = prepareStatement(
  'select "idx" from "issuer_status_entries" where "list_id" = $1 and "idx" = $2',
);
const CLAIM_DRAWN = prepareStatement(
  'insert into "issuer_status_entries" ("list_id", "idx", "credential_id", "status", "updated_at") values ($1, $2, $3, 0, $4) on conflict ("list_id", "idx") do nothing',
);
const SIZE = 131072;

async function drawingAllocator(db: Kysely<unknown>) {
  let listId = '';
  const openList = async () => {
    listId = randomBytes(12).toString('hex');
    await (db as Kysely<StatusTables>)
      .insertInto('issuer_status_lists')
      .values({
        id: listId,
        kind: 'token',
        purpose: 'status',
        size: SIZE,
        bits: 2,
        state: 'open',
        version: 1,
        created_at: Date.now(),
      } as never)
      .execute();
  };
  await openList();
  return {
    async allocate(_kind: string, _purpose: string) {
      for (;;) {
        for (let attempt = 0; attempt < 8; attempt++) {
          const idx = randomInt(SIZE);
          const { rows } = await IS_TAKEN.run(db, [listId, idx]);
          if (rows.length === 0) return { listId, idx };
        }
        await openList(); // as the pipeline did with a full list (marking it full is left out)
      }
    },
    async claim(trx: Kysely<unknown>, entry: { listId: string; idx: number }, credentialId: string) {
      const { changes } = await CLAIM_DRAWN.run(trx, [entry.listId, entry.idx, credentialId, Date.now()]);
      return changes === 1;
    },
  };
}

const table = (rows: [string, number, number][]) =>
  [
    '| side | credentials | CPU µs per credential |',
    '| --- | --- | --- |',
    ...rows.map(
      ([name, credentials, micros]) => `| ${name} | ${credentials} | ${(micros / credentials).toFixed(1)} |`,
    ),
  ].join('\n');

/**
 * Two writers, each on its own file, in alternating rounds (A B, then B A): prints each side's CPU µs per
 * credential and returns them in the sides' order.
 */
async function alternateTwo(
  sides: [
    { name: string; file: string; open: (path: string) => ReturnType<typeof writer> },
    { name: string; file: string; open: (path: string) => ReturnType<typeof writer> },
  ],
  rounds: number,
  perRound: number,
  folder: string,
): Promise<[number, number]> {
  const writers = await Promise.all(sides.map((side) => side.open(join(folder, side.file))));
  const micros = [0, 0];
  for (let round = 0; round < rounds; round++) {
    for (const i of round % 2 ? [1, 0] : [0, 1])
      micros[i] =
        (micros[i] ?? 0) + (await (writers[i] as Awaited<ReturnType<typeof writer>>).write(perRound));
  }
  await Promise.all(writers.map((w) => w.close()));
  const credentials = rounds * perRound;
  console.log(table(sides.map((side, i) => [side.name, credentials, micros[i] ?? 0])));
  return [(micros[0] ?? 0) / credentials, (micros[1] ?? 0) / credentials];
}

async function compareKeys(rounds: number, perRound: number, folder: string): Promise<void> {
  const [random, ordered] = await alternateTwo(
    [
      {
        name: 'random keys (UUIDv4, random notification id)',
        file: 'issuer-0.sqlite',
        open: (path) => writer(path, RANDOM_KEYS),
      },
      {
        name: 'time-ordered keys (UUIDv7, time-prefixed notification id)',
        file: 'issuer-1.sqlite',
        open: (path) => writer(path, TIME_ORDERED_KEYS),
      },
    ],
    rounds,
    perRound,
    folder,
  );
  console.log(`\ntime-ordered / random: ${(ordered / random).toFixed(2)}×`);
}

async function compareStatus(rounds: number, perRound: number, folder: string): Promise<void> {
  const [draws, sequence] = await alternateTwo(
    [
      {
        name: 'drawn at random (read + insert under (list, idx), credential index)',
        file: 'status-0.sqlite',
        open: (path) => writer(path, TIME_ORDERED_KEYS, 'draws'),
      },
      {
        name: 'counter + permutation (ranges of 256, insert under (list, seq))',
        file: 'status-1.sqlite',
        open: (path) => writer(path, TIME_ORDERED_KEYS, 'sequence'),
      },
    ],
    rounds,
    perRound,
    folder,
  );
  console.log(`\ncounter + permutation / drawn: ${(sequence / draws).toFixed(2)}×`);
}

/** Writes `count` credentials in a child process of this script on `path`; the CPU µs it reports. */
function runChild(path: string, count: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const script = fileURLToPath(import.meta.url);
    const proc = spawn(process.execPath, [...process.execArgv, script, 'child', path, String(count)], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
    });
    proc.on('error', reject);
    proc.on('exit', (code) =>
      code === 0 ? resolve(Number(out.trim())) : reject(new Error(`child exited ${code}`)),
    );
  });
}

async function compareProcesses(rounds: number, perRound: number, folder: string): Promise<void> {
  let one = 0;
  let two = 0;
  // Each side's file is warmed up once (schema, first list) so rounds measure writing only.
  await runChild(join(folder, 'one.sqlite'), BATCH * 8);
  await runChild(join(folder, 'two.sqlite'), BATCH * 8);
  for (let round = 0; round < rounds; round++) {
    const runOne = async () => {
      one += await runChild(join(folder, 'one.sqlite'), perRound);
    };
    const runTwo = async () => {
      const path = join(folder, 'two.sqlite');
      const both = await Promise.all([runChild(path, perRound / 2), runChild(path, perRound / 2)]);
      two += both[0] + both[1];
    };
    if (round % 2) {
      await runTwo();
      await runOne();
    } else {
      await runOne();
      await runTwo();
    }
  }
  const credentials = rounds * perRound;
  console.log(
    table([
      ['one process', credentials, one],
      ['two processes on one file', credentials, two],
    ]),
  );
  console.log(`\ntwo processes / one: ${(two / one).toFixed(2)}×`);
}

const [mode = 'keys', first, second] = process.argv.slice(2);
if (mode === 'child') {
  const w = await writer(first as string, TIME_ORDERED_KEYS);
  console.log(await w.write(Number(second)));
  await w.close();
} else {
  const folder = mkdtempSync(join(tmpdir(), 'attesta-issuing-writes-'));
  try {
    if (mode === 'keys') await compareKeys(Number(first ?? 6), Number(second ?? 10_000), folder);
    else if (mode === 'status') await compareStatus(Number(first ?? 6), Number(second ?? 10_000), folder);
    else if (mode === 'processes')
      await compareProcesses(Number(first ?? 4), Number(second ?? 16_000), folder);
    else throw new Error('usage: issuing-writes.ts keys|status|processes [rounds] [credentials per round]');
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}
