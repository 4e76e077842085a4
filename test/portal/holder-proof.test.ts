import { decodeProtectedHeader, importJWK, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { holderKeyFor, signProof } from '../../src/portal/issuance/holder-proof.js';

describe('holder proof', () => {
  it.each(['ES256', 'EdDSA'] as const)(
    'is an openid4vci-proof+jwt with the %s holder jwk, aud and nonce',
    async (alg) => {
      const key = await holderKeyFor([alg]);
      expect(key.alg).toBe(alg);
      const proof = await signProof(key, {
        audience: 'https://issuer.example',
        nonce: 'n-42',
        iat: 1_700_000_000,
      });
      const header = decodeProtectedHeader(proof);
      expect(Object.keys(header).sort()).toEqual(['alg', 'jwk', 'typ']);
      expect(header.jwk).not.toHaveProperty('d');
      const { payload, protectedHeader } = await jwtVerify(proof, await importJWK(header.jwk as JWK, alg), {
        typ: 'openid4vci-proof+jwt',
        audience: 'https://issuer.example',
        currentDate: new Date(1_700_000_000_000),
      });
      expect(protectedHeader.alg).toBe(alg);
      expect(payload).toEqual({ aud: 'https://issuer.example', iat: 1_700_000_000, nonce: 'n-42' });
    },
  );

  it('leaves the nonce out when the issuer has no nonce endpoint', async () => {
    const proof = await signProof(await holderKeyFor(undefined), { audience: 'a', nonce: undefined, iat: 1 });
    expect(JSON.parse(Buffer.from(proof.split('.')[1] ?? '', 'base64url').toString())).toEqual({
      aud: 'a',
      iat: 1,
    });
  });

  it('makes a new key each time and refuses algorithms it cannot sign with', async () => {
    expect((await holderKeyFor(undefined)).kid).not.toBe((await holderKeyFor(undefined)).kid);
    await expect(holderKeyFor(['RS256'])).rejects.toMatchObject({
      step: 'credential',
      code: 'unsupported_proof_alg',
    });
  });
});
