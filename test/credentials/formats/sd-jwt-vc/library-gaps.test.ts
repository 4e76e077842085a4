import { digest } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, importJWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueSdJwtVc, verifySdJwtVc } from '../../../../src/credentials/formats/sd-jwt-vc/index.js';
import { LocalSigningKey } from '../../../../src/platform/keys/index.js';

/**
 * Why SD-JWT VC verification is ours rather than @sd-jwt/sd-jwt-vc 0.19's (docs/decisions.md): RFC
 * 9901 §7.1 step 3.2.4/3.3 says a verifier MUST reject an SD-JWT with a disclosure that no digest
 * references, or with a digest that appears more than once; the library's `verify` accepts both.
 * When this test fails on an upgrade, the library has closed the gap and the decision is worth redoing.
 */
let key: LocalSigningKey;
let credential: string;
let library: SDJwtVcInstance;

async function issue(claims: Record<string, unknown>) {
  const holder = await LocalSigningKey.generate('ES256');
  return issueSdJwtVc({
    issuerKey: key,
    issuer: 'https://issuer.example',
    vct: 'urn:example:1',
    claims,
    disclosable: Object.keys(claims),
    holderJwk: holder.publicJwk,
    iat: Math.floor(Date.now() / 1000),
  });
}

beforeAll(async () => {
  key = await LocalSigningKey.generate('ES256');
  credential = await issue({ given_name: 'Amara', family_name: 'Okafor' });
  const publicKey = await importJWK(key.publicJwk, 'ES256');
  library = new SDJwtVcInstance({
    hasher: digest,
    verifier: (data: string, signature: string) =>
      compactVerify(`${data}.${signature}`, publicKey).then(
        () => true,
        () => false,
      ),
  });
});

describe('RFC 9901 §7.1 disclosure checks', () => {
  it('a disclosure of another credential slipped in: ours refuses, the library accepts', async () => {
    const [jwt, ...disclosures] = credential.split('~').slice(0, -1);
    const foreign = (await issue({ given_name: 'Eve' })).split('~')[1];
    const forged = `${jwt}~${[...disclosures, foreign].join('~')}~`;
    await expect(verifySdJwtVc(forged, { issuerJwks: { keys: [key.publicJwk] } })).rejects.toThrow(
      'disclosure not referenced by the credential',
    );
    await expect(library.verify(forged)).resolves.toBeDefined();
  });

  it('a disclosure presented twice: ours refuses, the library accepts', async () => {
    const [jwt, ...disclosures] = credential.split('~').slice(0, -1);
    const forged = `${jwt}~${[...disclosures, disclosures[0]].join('~')}~`;
    await expect(verifySdJwtVc(forged, { issuerJwks: { keys: [key.publicJwk] } })).rejects.toThrow(
      'disclosure repeated',
    );
    await expect(library.verify(forged)).resolves.toBeDefined();
  });
});
