import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { createLocalJWKSet, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { AccessTokenVerifier } from '../../src/issuer/access-token.js';
import { takesDirectPath } from '../../src/issuer/access-token-jws.js';
import { parseCompactJwt } from '../../src/issuer/compact-jwt.js';
import { ProtocolError } from '../../src/platform/errors.js';

// The node:crypto path for access tokens must give, for every token, exactly what the jose path
// (jwtVerify with the same options) gives: accepted with the same subject and scopes, or refused with
// the same invalid_token description. Tokens are built by hand so that any header or claim can be sent.

const ISSUER = 'https://as.example';
const AUDIENCE = 'https://issuer.example';
const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');
const json = (value: unknown) => b64(JSON.stringify(value));

interface Signer {
  kid: string;
  alg: string;
  privateKey: KeyObject;
  jwk: JWK;
}
function signer(kid: string, alg: 'ES256' | 'EdDSA'): Signer {
  const pair =
    alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
  return { kid, alg, privateKey: pair.privateKey, jwk: { ...pair.publicKey.export({ format: 'jwk' }), kid } };
}
const es256 = signer('ec-1', 'ES256');
const ed25519 = signer('ed-1', 'EdDSA');
const keys = createLocalJWKSet({ keys: [es256.jwk, ed25519.jwk] });

function signRaw(key: Signer, header: string, payload: string): string {
  const input = Buffer.from(`${header}.${payload}`);
  const signature =
    key.alg === 'ES256'
      ? sign('sha256', input, { key: key.privateKey, dsaEncoding: 'ieee-p1363' })
      : sign(null, input, key.privateKey);
  return `${header}.${payload}.${b64(signature)}`;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = () => ({
  iss: ISSUER,
  aud: AUDIENCE,
  sub: '5102030400',
  client_id: 'wallet',
  scope: 'national_id',
  iat: now(),
  exp: now() + 300,
});
function token(
  key: Signer,
  change: { header?: Record<string, unknown>; claims?: Record<string, unknown> } = {},
) {
  const header = { alg: key.alg, typ: 'at+jwt', kid: key.kid, ...change.header };
  const payload = Object.fromEntries(
    Object.entries({ ...claims(), ...change.claims }).filter(([, v]) => v !== undefined),
  );
  return signRaw(key, json(header), json(payload));
}
function withSignature(jwt: string, change: (raw: Buffer, encoded: string) => string): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  return `${header}.${payload}.${change(Buffer.from(signature, 'base64url'), signature)}`;
}

function variants(key: Signer): Record<string, string> {
  const valid = token(key);
  const [header, payload] = valid.split('.') as [string, string];
  return {
    valid,
    'typ application/at+jwt': token(key, { header: { typ: 'application/at+jwt' } }),
    'typ AT+JWT': token(key, { header: { typ: 'AT+JWT' } }),
    'typ missing': token(key, { header: { typ: undefined } }),
    'typ JWT': token(key, { header: { typ: 'JWT' } }),
    'typ other/at+jwt': token(key, { header: { typ: 'other/at+jwt' } }),
    'typ a number': token(key, { header: { typ: 1 } }),
    'crit header': token(key, { header: { crit: ['exp'] } }),
    'kid unknown': token(key, { header: { kid: 'nobody' } }),
    'kid of the other key type': token(key, { header: { kid: key === es256 ? ed25519.kid : es256.kid } }),
    'alg none': `${json({ alg: 'none', typ: 'at+jwt', kid: key.kid })}.${payload}.`,
    'alg HS256': token(key, { header: { alg: 'HS256' } }),
    'exp missing': token(key, { claims: { exp: undefined } }),
    'exp past': token(key, { claims: { exp: now() - 10 } }),
    'exp now': token(key, { claims: { exp: now() } }),
    'exp a string': token(key, { claims: { exp: String(now() + 300) } }),
    'exp null': token(key, { claims: { exp: null } }),
    'nbf future': token(key, { claims: { nbf: now() + 60 } }),
    'nbf past': token(key, { claims: { nbf: now() - 60 } }),
    'nbf a string': token(key, { claims: { nbf: 'soon' } }),
    'iat a string': token(key, { claims: { iat: 'now' } }),
    'iat future': token(key, { claims: { iat: now() + 3600 } }),
    'aud other': token(key, { claims: { aud: 'https://elsewhere.example' } }),
    'aud missing': token(key, { claims: { aud: undefined } }),
    'aud array with ours': token(key, { claims: { aud: ['https://elsewhere.example', AUDIENCE] } }),
    'aud array without ours': token(key, { claims: { aud: ['https://elsewhere.example'] } }),
    'aud a number': token(key, { claims: { aud: 7 } }),
    'sub missing': token(key, { claims: { sub: undefined } }),
    'sub empty': token(key, { claims: { sub: '' } }),
    'sub a number': token(key, { claims: { sub: 5102030400 } }),
    'cnf.jkt (DPoP-bound, as Bearer)': token(key, { claims: { cnf: { jkt: 'x'.repeat(43) } } }),
    'payload changed after signing': `${header}.${json({ ...claims(), sub: 'someone-else' })}.${valid.split('.')[2]}`,
    'signature bit flipped': withSignature(valid, (raw) => {
      const flipped = Buffer.from(raw);
      flipped[3] = (flipped[3] as number) ^ 1;
      return b64(flipped);
    }),
    'signature truncated': withSignature(valid, (raw) => b64(raw.subarray(0, raw.length - 1))),
    'signature with a byte more': withSignature(valid, (raw) => b64(Buffer.concat([raw, Buffer.from([0])]))),
    'signature padded': withSignature(valid, (_raw, encoded) => `${encoded}==`),
    'signature in base64': withSignature(valid, (raw) => raw.toString('base64')),
    'signature empty': withSignature(valid, () => ''),
    'payload not UTF-8': signRaw(key, header, b64(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]))),
    'payload an array': signRaw(key, header, json([claims()])),
    'header not JSON': signRaw(key, b64('{alg'), payload),
    'four parts': `${valid}.x`,
  };
}

async function outcome(verifier: AccessTokenVerifier, jwt: string) {
  try {
    const verified = await verifier.verify(jwt);
    return { subject: verified.subject, scopes: [...verified.scopes], issuer: verified.issuer };
  } catch (error) {
    if (!(error instanceof ProtocolError)) throw error;
    return { status: error.status, error: error.error, description: error.description };
  }
}

describe('access tokens verified with node:crypto give what jose gives', () => {
  const verifier = (nodeCrypto: boolean) =>
    new AccessTokenVerifier([], AUDIENCE, { local: new Map([[ISSUER, keys]]), nodeCrypto });
  const direct = verifier(true);
  const throughJose = verifier(false);

  for (const key of [es256, ed25519]) {
    it(`${key.alg}: the same verdict and message for every variant`, async () => {
      const cases = variants(key);
      for (const [name, jwt] of Object.entries(cases)) {
        expect(await outcome(direct, jwt), name).toEqual(await outcome(throughJose, jwt));
      }
      // The checks above are about the direct path: the valid token takes it, and is accepted.
      const parsed = parseCompactJwt(cases.valid as string);
      expect(parsed && takesDirectPath(parsed)).toBe(true);
      expect(await outcome(direct, cases.valid as string)).toMatchObject({ subject: '5102030400' });
      // And the refusals are refusals (the comparison alone would pass if both paths accepted all).
      for (const name of [
        'exp past',
        'aud other',
        'signature bit flipped',
        'typ JWT',
        'payload changed after signing',
      ])
        expect(await outcome(direct, cases[name] as string), name).toMatchObject({ error: 'invalid_token' });
    });
  }
});
