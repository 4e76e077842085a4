// The issuing transaction's writes with random keys (UUIDv4 ledger ids, random notification ids: the issuer
// before 2026-12-07, night) beside time-ordered ones (UUIDv7, time-prefixed notification ids: now), on two
// fresh SQLite files migrated as the issuer's, written through the issuer's own Ledger, StatusAllocator,
// NonceStore and NotificationStore in group-committed batches of 16 (`synchronous=FULL`, the WAL's fdatasync on
// the thread pool). The two alternate in rounds so a shared machine's load falls on both; printed: CPU µs per
// credential of this process (the commits' page writes and checkpoints included). Ratios, never a threshold.
// `npx tsx bench/ledger-keys.ts [rounds] [credentials per round]`
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuUsage } from 'node:process';
import type { Kysely } from 'kysely';
import { type IssuerTables, issuerMigrations } from '../src/issuer/database.js';
import { ISSUANCE_MIGRATION_SET, issuanceMigrations } from '../src/issuer/issuance/database.js';
import { Ledger, newCredentialId } from '../src/issuer/ledger/index.js';
import { NonceStore } from '../src/issuer/nonce-store.js';
import { NotificationStore } from '../src/issuer/notification/store.js';
import { PROTOCOL_MIGRATION_SET, protocolMigrations } from '../src/issuer/protocol-database.js';
import { StatusAllocator, StatusListFull } from '../src/issuer/status/index.js';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.js';

const ROUNDS = Number(process.argv[2] ?? 6);
const PER_ROUND = Number(process.argv[3] ?? 10_000);
const BATCH = 16;
const PEOPLE = 1000;

type Keys = { credentialId: () => string; notificationId: () => string };
const SIDES: Record<string, Keys> = {
  'random keys (UUIDv4, random notification id)': {
    credentialId: () => `urn:uuid:${randomUUID()}`,
    notificationId: () => randomBytes(18).toString('base64url'),
  },
  'time-ordered keys (UUIDv7, time-prefixed notification id)': {
    credentialId: () => newCredentialId(false),
    notificationId: () => NotificationStore.newId(),
  },
};

const folder = mkdtempSync(join(tmpdir(), 'attesta-ledger-keys-'));
const sides = await Promise.all(
  Object.entries(SIDES).map(async ([name, keys], i) => {
    const database = openDatabase<IssuerTables>(`sqlite:${join(folder, `issuer-${i}.sqlite`)}`);
    // The issuer's three migration sets, as src/issuer/service.ts and protocol.ts apply them.
    await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
    await migrateToLatest(database.db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
    await migrateToLatest(database.db as Kysely<unknown>, PROTOCOL_MIGRATION_SET, protocolMigrations);
    const secret = randomBytes(32);
    const side = {
      name,
      keys,
      database,
      ledger: new Ledger(secret),
      allocator: new StatusAllocator(database.db as Kysely<never>),
      nonces: new NonceStore(database.db, 300, secret),
      notifications: new NotificationStore(database.db as Kysely<never>),
      cpuMicros: 0,
      credentials: 0,
      issued: 0,
    };
    return side;
  }),
);
type Side = (typeof sides)[number];

async function issueOne(side: Side): Promise<void> {
  let listId = await side.allocator.prepare('token', 'revocation');
  const entry = await side.allocator.draw(listId, 'token', 'revocation').catch(async (error: unknown) => {
    // As the pipeline does: a full list is marked and the next one opened.
    if (!(error instanceof StatusListFull)) throw error;
    await side.allocator.markFull(listId);
    listId = await side.allocator.prepare('token', 'revocation');
    return side.allocator.draw(listId, 'token', 'revocation');
  });
  const nonce = side.nonces.issue();
  const id = side.keys.credentialId();
  const person = side.issued++ % PEOPLE;
  await side.database.commit(async (trx) => {
    await side.nonces.spendIn(trx as never, nonce, Date.now() + 300_000);
    await side.allocator.claim(trx as never, entry, id);
    await side.ledger.record(trx as never, {
      id,
      configurationId: 'national_id_sd_jwt',
      format: 'dc+sd-jwt',
      subject: `person ${person}`,
      statusRefs: [{ listId, idx: entry.idx, purpose: 'revocation' }],
      issuedAt: Date.now(),
      expiresAt: Date.now() + 365 * 86_400_000,
      attributes: { family_name: `family ${person}`, birthdate: `19${person % 100}-01-01` },
    });
    await side.notifications.createIn(
      trx as never,
      side.keys.notificationId(),
      'owner',
      'national_id_sd_jwt',
      [id],
    );
  });
}

for (let round = 0; round < ROUNDS; round++) {
  for (const side of round % 2 ? [...sides].reverse() : sides) {
    const start = cpuUsage();
    for (let i = 0; i < PER_ROUND; i += BATCH) {
      await Promise.all(Array.from({ length: BATCH }, () => issueOne(side)));
    }
    const used = cpuUsage(start);
    side.cpuMicros += used.user + used.system;
    side.credentials += PER_ROUND;
  }
}

console.log(`| keys | credentials | CPU µs per credential |\n| --- | --- | --- |`);
for (const side of sides) {
  console.log(`| ${side.name} | ${side.credentials} | ${(side.cpuMicros / side.credentials).toFixed(1)} |`);
}
const [before, after] = sides as [Side, Side];
console.log(
  `\ntime-ordered / random: ${(after.cpuMicros / after.credentials / (before.cpuMicros / before.credentials)).toFixed(2)}×`,
);
await Promise.all(sides.map((side) => side.database.close()));
rmSync(folder, { recursive: true, force: true });
