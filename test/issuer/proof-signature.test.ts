import { generateKeyPairSync, sign } from 'node:crypto';
import { CompactSign, compactVerify, exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { verifyJwsSignature } from '../../src/issuer/proofs/signature.js';

/** What jose (the library the fast path stands in for) says of the same JWS and key. */
async function joseSays(jws: string, jwk: JWK, alg: string): Promise<boolean> {
  try {
    await compactVerify(jws, await importJWK(jwk, alg), { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

const b64 = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** Variants of one JWS an attacker could send: each must get the library's answer. */
function variants(jws: string): Record<string, string> {
  const [header, payload, signature] = jws.split('.') as [string, string, string];
  const raw = Buffer.from(signature, 'base64url');
  const flipped = Buffer.from(raw);
  flipped[5] = (flipped[5] as number) ^ 1;
  return {
    valid: jws,
    'payload changed': `${header}.${b64('{"nonce":"other"}')}.${signature}`,
    'header changed': `${b64('{"alg":"ES256","typ":"x"}')}.${payload}.${signature}`,
    'one signature bit flipped': `${header}.${payload}.${b64(flipped)}`,
    'signature truncated': `${header}.${payload}.${b64(raw.subarray(0, raw.length - 1))}`,
    'signature with a byte more': `${header}.${payload}.${b64(Buffer.concat([raw, Buffer.from([0])]))}`,
    'signature empty': `${header}.${payload}.`,
    'signature padded': `${header}.${payload}.${signature}==`,
    'signature in base64, not base64url': `${header}.${payload}.${raw.toString('base64')}`,
    'all zero signature': `${header}.${payload}.${b64(Buffer.alloc(raw.length))}`,
    'four parts': `${jws}.x`,
  };
}

describe('key proof signatures verified with node:crypto KeyObjects agree with jose', () => {
  for (const [alg, options] of [
    ['ES256', { crv: 'P-256' }],
    ['EdDSA', { crv: 'Ed25519' }],
  ] as const) {
    it(`${alg}: the same verdict as jose on a valid proof and on every tampered variant`, async () => {
      const holder = await generateKeyPair(alg, { ...options, extractable: true });
      const stranger = await generateKeyPair(alg, { ...options, extractable: true });
      const jwk = await exportJWK(holder.publicKey);
      const strangerJwk = await exportJWK(stranger.publicKey);
      for (let round = 0; round < 5; round++) {
        const jws = await new CompactSign(new TextEncoder().encode(JSON.stringify({ nonce: `n${round}` })))
          .setProtectedHeader({ alg, typ: 'openid4vci-proof+jwt' })
          .sign(holder.privateKey);
        for (const [name, variant] of Object.entries(variants(jws))) {
          const expected = await joseSays(variant, jwk, alg);
          expect({ name, verdict: await verifyJwsSignature(variant, jwk, alg) }).toEqual({
            name,
            verdict: expected,
          });
          expect(await verifyJwsSignature(variant, strangerJwk, alg)).toBe(false);
        }
        expect(await verifyJwsSignature(jws, jwk, alg)).toBe(true);
      }
    });
  }

  it('ES256: a DER-encoded ECDSA signature (not R || S) is refused, as jose refuses it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    const signingInput = `${b64('{"alg":"ES256"}')}.${b64('{"nonce":"n"}')}`;
    const der = sign('sha256', Buffer.from(signingInput), privateKey);
    const jws = `${signingInput}.${b64(der)}`;
    expect(await joseSays(jws, jwk, 'ES256')).toBe(false);
    expect(await verifyJwsSignature(jws, jwk, 'ES256')).toBe(false);
  });

  it('ES256 with a key of another curve is refused, as jose refuses it', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-384' });
    const jwk = publicKey.export({ format: 'jwk' }) as JWK;
    const signingInput = `${b64('{"alg":"ES256"}')}.${b64('{"nonce":"n"}')}`;
    const signature = sign('sha256', Buffer.from(signingInput), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    });
    const jws = `${signingInput}.${b64(signature)}`;
    expect(await joseSays(jws, jwk, 'ES256')).toBe(false);
    expect(await verifyJwsSignature(jws, jwk, 'ES256')).toBe(false);
  });
});
