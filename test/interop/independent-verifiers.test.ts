import { createHash } from 'node:crypto';
import { verifySDJWT } from '@meeco/sd-jwt';
import { verifyCredential } from 'did-jwt-vc';
import { type DIDResolutionResult, Resolver } from 'did-resolver';
import { createLocalJWKSet, decodeJwt, type JWK, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { issueOne, issuerBehindForeignAsForFile } from '../issuer/helpers/issue-credential.js';

/**
 * The demo credentials read by verifiers from codebases the project does not otherwise use: each
 * verifies what the issuer issued and refuses a one-byte tamper. What they fetch, they fetch from
 * the running issuer as any verifier would (its did:web document, over loopback HTTP here).
 *
 * - did-jwt-vc (DIF / Veramo; did-jwt underneath): the VCDM 1.1 JWT encoding (VCDM 1.1 §6.3.1)
 *   that `jwt_vc_json` is (OpenID4VCI 1.0 Appendix A.1.1).
 * - @meeco/sd-jwt (Meeco): a second SD-JWT implementation beside the OWF's @sd-jwt used elsewhere,
 *   for `dc+sd-jwt` disclosures (RFC 9901 §7.1); it leaves the JWS signature to a callback (jose
 *   here, with the key from the issuer's `/.well-known/jwt-vc-issuer`).
 */
const server = issuerBehindForeignAsForFile();

async function issue(configurationId: string, sub: string): Promise<string> {
  const claims = { sub, scope: 'national_id insurance_policy' };
  return (await issueOne(server, configurationId, { claims })) as string;
}

/**
 * did:web resolution (did:web method §3.2.1: the host, then `/.well-known/did.json`) for
 * did-resolver. The method's own resolver (web-did-resolver) always uses https; the test issuer
 * listens on loopback http, so this resolver does the same lookup over http.
 */
const didWeb = new Resolver({
  web: async (did): Promise<DIDResolutionResult> => {
    const host = decodeURIComponent(did.slice('did:web:'.length).split(':')[0] ?? '');
    const response = await fetch(`http://${host}/.well-known/did.json`);
    return {
      didResolutionMetadata: { contentType: 'application/did+json' },
      didDocument: response.ok ? await response.json() : null,
      didDocumentMetadata: {},
    };
  },
});

/** The JWT with one character of a payload claim changed and the signature kept. */
function tamper(jwt: string, change: (payload: Record<string, unknown>) => void): string {
  const [header, payload, signature] = jwt.split('.') as [string, string, string];
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  change(claims);
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${signature}`;
}

describe('did-jwt-vc verifies the demo jwt_vc_json credentials', () => {
  it.each([
    ['national_id_jwt_vc', '5102030400', 'NationalIdCredential', 'familyName', 'Okafor'],
    ['insurance_policy_jwt_vc', 'POL-0700100', 'InsurancePolicyCredential', 'policy_number', 'POL-0700100'],
  ])('%s', async (configurationId, sub, type, claim, value) => {
    const jwt = await issue(configurationId, sub);
    const verified = await verifyCredential(jwt, didWeb);
    expect(verified.verified).toBe(true);
    expect(verified.issuer).toMatch(/^did:web:/);
    expect(verified.verifiableCredential.type).toEqual(['VerifiableCredential', type]);
    expect(verified.verifiableCredential.credentialSubject[claim]).toBe(value);
    // did-jwt-vc's normalised credential: `issuer` from `iss`, `issuanceDate` from `nbf`.
    expect(verified.verifiableCredential.issuer).toEqual({ id: decodeJwt(jwt).iss });
    expect(verified.verifiableCredential['@context'][0]).toBe('https://www.w3.org/2018/credentials/v1');

    const changed = tamper(jwt, (payload) => {
      const subject = (payload.vc as { credentialSubject: Record<string, string> }).credentialSubject;
      subject[claim] = `${subject[claim]?.slice(0, -1)}X`;
    });
    await expect(verifyCredential(changed, didWeb)).rejects.toThrow(/invalid_signature/);
  });
});

/** SHA-256 over the disclosure text, base64url: the hasher RFC 9901 §4.2.3 describes. */
const getHasher = async (alg: string) => {
  expect(alg).toBe('sha-256');
  return (data: string) => createHash('sha256').update(data).digest('base64url');
};

describe('@meeco/sd-jwt verifies the demo dc+sd-jwt credential', () => {
  it('national_id_sd_jwt: signature by the published key, every disclosure digested; tampering refused', async () => {
    const credential = await issue('national_id_sd_jwt', '5102030400');
    const { jwks } = (await (await fetch(`${server.issuer.url}/.well-known/jwt-vc-issuer`)).json()) as {
      jwks: { keys: JWK[] };
    };
    const keys = createLocalJWKSet(jwks);
    const verifier = async (jwt: string) => {
      // SD-JWT VC §3.2.1: `typ` `dc+sd-jwt`.
      await jwtVerify(jwt, keys, { typ: 'dc+sd-jwt', issuer: server.issuer.url });
      return true;
    };
    const claims = (await verifySDJWT(credential, verifier, getHasher)) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: server.issuer.url, given_name: 'Amara', family_name: 'Okafor' });
    expect(claims).not.toHaveProperty('_sd');

    // One changed byte in the issuer-signed JWT: the signature no longer holds.
    const [jwt = '', ...disclosures] = credential.split('~');
    const forged = tamper(jwt, (payload) => {
      payload.iss = `${payload.iss}x`;
    });
    await expect(verifySDJWT([forged, ...disclosures].join('~'), verifier, getHasher)).rejects.toThrow(
      'Failed to verify SD-JWT',
    );
    // One changed disclosure: its digest is in no `_sd` array, so its claim is not disclosed.
    const index = disclosures.findIndex((d) => Buffer.from(d, 'base64url').toString().includes('Amara'));
    expect(index).toBeGreaterThanOrEqual(0);
    const changed = [...disclosures];
    changed[index] = Buffer.from(
      Buffer.from(changed[index] as string, 'base64url')
        .toString()
        .replace('Amara', 'Mallory'),
    ).toString('base64url');
    // RFC 9901 §7.1 step 3.3: a disclosure whose digest is not referenced MUST make the verifier
    // reject the SD-JWT. @meeco/sd-jwt 1.2.1 drops it silently instead (a library bug, recorded
    // here and not copied: our verifier rejects, sd-jwt-vc/library-gaps.test.ts); the forged name
    // is not disclosed either way. Should the library start rejecting, this line fails: update it.
    const unpacked = (await verifySDJWT([jwt, ...changed].join('~'), verifier, getHasher)) as Record<
      string,
      unknown
    >;
    expect(unpacked.given_name).toBeUndefined();
    expect(JSON.stringify(unpacked)).not.toContain('Mallory');
  });
});
