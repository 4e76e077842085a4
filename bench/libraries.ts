// Our code beside the maintained library that could replace it, in one process: the figures behind
// docs/decisions.md "2026-12-07 — Formats". `npx tsx bench/libraries.ts`; ratios, not absolutes.
import { generateKeyPairSync } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import { BitstringStatusList } from '@digitalbazaar/vc-bitstring-status-list';
import { digest } from '@sd-jwt/crypto-nodejs';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, importJWK, type JWK } from 'jose';
import { resolveDidKey } from '../src/credentials/did/did-key.js';
import { jwkToMultibase } from '../src/credentials/did/multikey.js';
import { issueSdJwtVc, verifySdJwtVc } from '../src/credentials/formats/sd-jwt-vc/index.js';
import { encodeTokenStatusList, tokenStatusAt } from '../src/credentials/status/token-status-list.js';
import { LocalSigningKey } from '../src/platform/keys/index.js';

async function perOp(label: string, runs: number, op: () => unknown): Promise<number> {
  for (let i = 0; i < Math.min(20, runs); i++) await op();
  const start = performance.now();
  for (let i = 0; i < runs; i++) await op();
  const ms = (performance.now() - start) / runs;
  console.log(`| ${label} | ${ms < 1 ? ms.toFixed(3) : ms.toFixed(1)} ms |`);
  return ms;
}

console.log('| operation | per op |\n| --- | --- |');

// SD-JWT VC verification: ours (jose + RFC 9901 §7.1) and @sd-jwt/sd-jwt-vc 0.19 with jose for the signature.
const key = await LocalSigningKey.generate('ES256');
const holder = await LocalSigningKey.generate('ES256');
const now = Math.floor(Date.now() / 1000);
const credential = await issueSdJwtVc({
  issuerKey: key,
  issuer: 'https://issuer.example',
  vct: 'urn:example:id',
  claims: { given_name: 'Amara', family_name: 'Okafor', birthdate: '1970-03-13', nationality: 'NG' },
  disclosable: ['given_name', 'family_name', 'birthdate', 'nationality'],
  holderJwk: holder.publicJwk,
  iat: now,
  exp: now + 3600,
});
const publicKey = await importJWK(key.publicJwk, 'ES256');
const library = new SDJwtVcInstance({
  hasher: digest,
  verifier: (data: string, signature: string) =>
    compactVerify(`${data}.${signature}`, publicKey).then(
      () => true,
      () => false,
    ),
});
const jwks = { keys: [key.publicJwk] };
await perOp('SD-JWT VC verify, ours (4 disclosures)', 2000, () =>
  verifySdJwtVc(credential, { issuerJwks: jwks }),
);
await perOp('SD-JWT VC verify, @sd-jwt/sd-jwt-vc', 2000, () => library.verify(credential));

// What each accepts: an extra disclosure nobody references, and one presented twice (RFC 9901 §7.1 refuses both).
const [jwt, ...disclosures] = credential.split('~').slice(0, -1) as [string, ...string[]];
const other = (
  await issueSdJwtVc({
    issuerKey: key,
    issuer: 'https://issuer.example',
    vct: 'urn:example:id',
    claims: { given_name: 'Eve' },
    disclosable: ['given_name'],
    holderJwk: holder.publicJwk,
    iat: now,
  })
).split('~')[1] as string;
const forged = {
  'unreferenced disclosure': `${jwt}~${[...disclosures, other].join('~')}~`,
  'repeated disclosure': `${jwt}~${[...disclosures, disclosures[0]].join('~')}~`,
};
for (const [name, text] of Object.entries(forged)) {
  const ours = await verifySdJwtVc(text, { issuerJwks: jwks }).then(
    () => 'accepted',
    (e: Error) => `refused (${e.message})`,
  );
  const theirs = await library.verify(text).then(
    () => 'accepted',
    (e: Error) => `refused (${e.message})`,
  );
  console.log(`| ${name}: ours ${ours}, @sd-jwt ${theirs} | |`);
}

// Token Status List of 131,072 entries (2 bits), 200 set.
const SIZE = 131_072;
const entries = Array.from({ length: 200 }, (_, i) => ({ idx: i * 37, status: 1 }));
const lst = encodeTokenStatusList(SIZE, 2, entries);
await perOp('Token Status List encode, ours', 200, () => encodeTokenStatusList(SIZE, 2, entries));
await perOp('Token Status List encode, @sd-jwt/jwt-status-list', 10, () => {
  const list = new Array<number>(SIZE).fill(0);
  for (const { idx, status } of entries) list[idx] = status;
  return new StatusList(list, 2).compressStatusList();
});
await perOp('Token Status List read one entry, ours', 200, () => tokenStatusAt({ bits: 2, lst }, 37));
await perOp('Token Status List read one entry, @sd-jwt/jwt-status-list', 10, () =>
  StatusList.decompressStatusList(lst, 2).getStatus(37),
);
await perOp('Bitstring Status List encode, @digitalbazaar (used)', 50, () => {
  const list = new BitstringStatusList({ length: SIZE });
  for (const { idx } of entries) list.setStatus(idx, true);
  return list.encode();
});

// Multikey (did:key, did:web documents): P-256 public key ↔ publicKeyMultibase.
const p256 = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' }) as JWK;
const multibase = jwkToMultibase(p256);
await perOp('P-256 JWK → multibase, ours', 2000, () => jwkToMultibase(p256));
await perOp(
  'P-256 JWK → multibase, @digitalbazaar/ecdsa-multikey',
  500,
  async () =>
    (await (await EcdsaMultikey.fromJwk({ jwk: p256 })).export({ publicKey: true })).publicKeyMultibase,
);
await perOp('did:key (P-256) → JWK, ours', 2000, () => resolveDidKey(`did:key:${multibase}`, undefined));
await perOp('did:key (P-256) → JWK, @digitalbazaar/ecdsa-multikey', 500, async () =>
  EcdsaMultikey.toJwk({ keyPair: await EcdsaMultikey.from({ publicKeyMultibase: multibase }) }),
);
