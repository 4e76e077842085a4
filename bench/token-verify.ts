// Access-token verification, the node:crypto path (src/issuer/access-token-jws.ts) beside jose's
// jwtVerify with the same options (`nodeCrypto: false`): CPU µs per token of one process, an ES256
// at+jwt as authz issues it. `npx tsx bench/token-verify.ts [rounds]`; the two alternate in rounds so a
// shared machine's load falls on both. Ratios and CPU µs, never a threshold.
import { generateKeyPairSync } from 'node:crypto';
import { cpuUsage } from 'node:process';
import { createLocalJWKSet, SignJWT } from 'jose';
import { AccessTokenVerifier } from '../src/issuer/access-token.js';

const ROUNDS = Number(process.argv[2] ?? 6);
const PER_ROUND = 3000;
const ISSUER = 'https://authz.example';
const AUDIENCE = 'https://issuer.example';

const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const keys = createLocalJWKSet({ keys: [{ ...publicKey.export({ format: 'jwk' }), kid: 'k1' }] });
const token = await new SignJWT({ scope: 'national_id', client_id: 'portal' })
  .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'k1' })
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setSubject('5102030400')
  .setIssuedAt()
  .setExpirationTime('1h')
  .sign(privateKey);

const sides = {
  'node:crypto (ours)': new AccessTokenVerifier([], AUDIENCE, { local: new Map([[ISSUER, keys]]) }),
  "jose's jwtVerify": new AccessTokenVerifier([], AUDIENCE, {
    local: new Map([[ISSUER, keys]]),
    nodeCrypto: false,
  }),
};
const spent: Record<string, number> = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [name, verifier] of Object.entries(sides)) {
    const before = cpuUsage();
    for (let i = 0; i < PER_ROUND; i++) await verifier.verify(token);
    const used = cpuUsage(before);
    if (round > 0) spent[name] = (spent[name] ?? 0) + used.user + used.system; // round 0 warms up
  }
}
const perToken = (name: string) => (spent[name] ?? 0) / ((ROUNDS - 1) * PER_ROUND);
console.log('| verification | CPU µs per token |\n| --- | --- |');
for (const name of Object.keys(sides)) console.log(`| ${name} | ${perToken(name).toFixed(1)} |`);
console.log(`\nours / jose: ${(perToken('node:crypto (ours)') / perToken("jose's jwtVerify")).toFixed(2)}×`);
