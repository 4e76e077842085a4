// DPoP proof verification (src/issuer/dpop/verify.ts), the node:crypto path beside jose's importJWK + jwtVerify
// (`nodeCrypto: false`): CPU µs per proof of one process, ES256 proofs with `ath` as the bench's wallet sends
// them, from 1,000 keys, each jti remembered in an in-memory SQLite database (the same on both sides), 16 in flight.
// `npx tsx bench/dpop-verify.ts [rounds]`; the two alternate in rounds so a shared machine's load falls on
// both. Ratios and CPU µs, never a threshold.
import { createHash, randomUUID } from 'node:crypto';
import { cpuUsage } from 'node:process';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { DpopVerifier } from '../src/issuer/dpop/verify.js';
import {
  PROTOCOL_MIGRATION_SET,
  type ProtocolTables,
  protocolMigrations,
} from '../src/issuer/protocol-database.js';
import { migrateToLatest, openDatabase } from '../src/platform/db/index.js';

const ROUNDS = Number(process.argv[2] ?? 6);
const PER_ROUND = 2000;
const KEYS = 1000;
const URL = 'https://issuer.example/credential';
const TOKEN = 'an-access-token';
const ath = createHash('sha256').update(TOKEN).digest('base64url');

const keys = await Promise.all(
  Array.from({ length: KEYS }, async () => {
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    return { privateKey, jwk: await exportJWK(publicKey) };
  }),
);
const proofs = (count: number) =>
  Promise.all(
    Array.from({ length: count }, (_, i) => {
      const key = keys[i % KEYS] as (typeof keys)[number];
      return new SignJWT({ htm: 'POST', htu: URL, ath, jti: randomUUID() })
        .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: key.jwk })
        .setIssuedAt()
        .sign(key.privateKey);
    }),
  );

async function side(nodeCrypto: boolean) {
  const database = openDatabase<ProtocolTables>('sqlite::memory:');
  await migrateToLatest(database.db as Kysely<unknown>, PROTOCOL_MIGRATION_SET, protocolMigrations);
  return {
    database,
    verifier: new DpopVerifier(database.db, Date.now, undefined, database.commit, { nodeCrypto }),
  };
}
const sides = { 'node:crypto (ours)': await side(true), "jose's importJWK + jwtVerify": await side(false) };
const spent: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, { verifier }] of Object.entries(sides)) {
    const batch = await proofs(PER_ROUND);
    const before = cpuUsage();
    // 16 in flight, as the credential bench's connections send them (their jtis share a commit).
    for (let i = 0; i < batch.length; i += 16)
      await Promise.all(
        batch
          .slice(i, i + 16)
          .map((proof) => verifier.verify({ proof, method: 'POST', url: URL, accessToken: TOKEN })),
      );
    const used = cpuUsage(before);
    if (round > 0) spent[name] = (spent[name] ?? 0) + used.user + used.system; // round 0 warms up
  }
}
const proofsCounted = (ROUNDS - 1) * PER_ROUND;
console.log('| path | proofs | CPU µs per proof |\n| --- | --- | --- |');
for (const [name, micros] of Object.entries(spent))
  console.log(`| ${name} | ${proofsCounted} | ${(micros / proofsCounted).toFixed(1)} |`);
const [ours, jose] = Object.values(spent) as [number, number];
console.log(`\nnode:crypto / jose: ${(ours / jose).toFixed(2)}×`);
await Promise.all(Object.values(sides).map(({ database }) => database.close()));
