import { randomUUID } from 'node:crypto';
import { CompactSign, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DpopVerifier } from '../../src/issuer/dpop/verify.js';
import {
  PROTOCOL_MIGRATION_SET,
  type ProtocolTables,
  protocolMigrations,
} from '../../src/issuer/protocol-database.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';

/**
 * The DPoP proof check on node:crypto (the default) against jose's importJWK + jwtVerify
 * (`nodeCrypto: false`) on the same proofs: the same verdict and the same description for each.
 * Each side has its own database, so a proof's jti is new to both.
 */
const URL = 'https://issuer.example/credential';
const NOW = Date.now();
const NOW_S = Math.floor(NOW / 1000);

const databases: Database<ProtocolTables>[] = [];
async function verifier(nodeCrypto: boolean): Promise<DpopVerifier> {
  const database = openDatabase<ProtocolTables>('sqlite::memory:');
  databases.push(database);
  await migrateToLatest(database.db as Kysely<unknown>, PROTOCOL_MIGRATION_SET, protocolMigrations);
  return new DpopVerifier(database.db, () => NOW, undefined, database.commit, { nodeCrypto });
}

type Alg = 'ES256' | 'EdDSA';
const keys: Record<Alg, { privateKey: CryptoKey; jwk: JWK }> = {} as never;
let otherEs256: CryptoKey;
let ours: DpopVerifier;
let jose: DpopVerifier;

beforeAll(async () => {
  for (const alg of ['ES256', 'EdDSA'] as const) {
    const pair = await generateKeyPair(alg, {
      crv: alg === 'EdDSA' ? 'Ed25519' : undefined,
      extractable: true,
    });
    keys[alg] = { privateKey: pair.privateKey, jwk: await exportJWK(pair.publicKey) };
  }
  otherEs256 = (await generateKeyPair('ES256')).privateKey;
  ours = await verifier(true);
  jose = await verifier(false);
});

afterAll(async () => {
  await Promise.all(databases.map((d) => d.close()));
});

interface Variant {
  header?: Record<string, unknown>;
  claims?: Record<string, unknown>;
  /** Raw payload bytes instead of the claims. */
  payload?: Uint8Array;
  signWith?: CryptoKey;
  mangle?: (jws: string) => string;
}

async function proof(alg: Alg, variant: Variant = {}): Promise<string> {
  const claims = { jti: randomUUID(), htm: 'POST', htu: URL, iat: NOW_S, ...variant.claims };
  for (const [name, value] of Object.entries(claims))
    if (value === undefined) delete (claims as Record<string, unknown>)[name];
  const payload = variant.payload ?? new TextEncoder().encode(JSON.stringify(claims));
  const jws = await new CompactSign(payload)
    .setProtectedHeader({ alg, typ: 'dpop+jwt', jwk: keys[alg].jwk, ...variant.header } as never)
    .sign(variant.signWith ?? keys[alg].privateKey);
  return variant.mangle ? variant.mangle(jws) : jws;
}

const outcome = (verifier: DpopVerifier, jws: string) =>
  verifier.verify({ proof: jws, method: 'POST', url: URL }).then(
    (jkt) => ({ accepted: jkt }),
    (error: { error_description?: string; message?: string }) => ({
      refused: error.error_description ?? error.message,
    }),
  );

const flipLastSignatureChar = (jws: string) =>
  `${jws.slice(0, -2)}${jws.at(-2) === 'A' ? 'B' : 'A'}${jws.at(-1)}`;

const VARIANTS: Record<string, Variant> = {
  valid: {},
  'a changed signature': { mangle: flipLastSignatureChar },
  'a truncated signature': { mangle: (jws) => jws.slice(0, -8) },
  'a signature by another key than the header jwk': { signWith: undefined },
  'no iat': { claims: { iat: undefined } },
  'no jti': { claims: { jti: undefined } },
  'no htm': { claims: { htm: undefined } },
  'no htu': { claims: { htu: undefined } },
  'iat as a string': { claims: { iat: String(NOW_S) } },
  'nbf one second ahead': { claims: { nbf: NOW_S + 1 } },
  'nbf now': { claims: { nbf: NOW_S } },
  'nbf as a string': { claims: { nbf: 'soon' } },
  'exp now': { claims: { exp: NOW_S } },
  'exp one second ahead': { claims: { exp: NOW_S + 1 } },
  'exp as a string': { claims: { exp: 'later' } },
  'a JSON array as payload': { payload: new TextEncoder().encode('[1,2]') },
  'a payload that is not JSON': { payload: new TextEncoder().encode('not json') },
  'a payload that is not UTF-8': { payload: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]) },
  // jose signs no unknown `crit`; RFC 7797's b64 is one it knows. The direct path leaves any crit to jose.
  'a crit header (b64, RFC 7797)': { header: { crit: ['b64'], b64: true } },
  'a signature part with padding': { mangle: (jws) => `${jws}=` },
  'an extra part': { mangle: (jws) => `${jws}.x` },
};

describe.each(['ES256', 'EdDSA'] as const)('DPoP proofs signed with %s', (alg) => {
  it.each(Object.keys(VARIANTS))('node:crypto and jose agree on a proof with %s', async (name) => {
    const variant = { ...(VARIANTS[name] as Variant) };
    if (name === 'a signature by another key than the header jwk')
      variant.signWith =
        alg === 'ES256' ? otherEs256 : (await generateKeyPair('EdDSA', { crv: 'Ed25519' })).privateKey;
    const jws = await proof(alg, variant);
    const [direct, library] = [await outcome(ours, jws), await outcome(jose, jws)];
    expect(direct).toEqual(library);
    if (name === 'valid') expect(direct).toHaveProperty('accepted');
  });
});

it('refuses what jose refuses and accepts what it accepts, over the variants above (not all one way)', async () => {
  const verdicts = await Promise.all(
    Object.keys(VARIANTS)
      .filter((name) => name !== 'a signature by another key than the header jwk')
      .map(
        async (name) => 'accepted' in (await outcome(jose, await proof('ES256', VARIANTS[name] as Variant))),
      ),
  );
  // The comparison means something only if the library both accepts and refuses among them.
  expect(verdicts.filter(Boolean).length).toBeGreaterThanOrEqual(3);
  expect(verdicts.filter((v) => !v).length).toBeGreaterThanOrEqual(10);
});
