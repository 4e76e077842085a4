import { readFileSync } from 'node:fs';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueOne, issuerBehindForeignAsForFile } from './helpers/issue-credential.js';

/**
 * The two JOSE encodings of a W3C credential under the identifiers that name them, through the
 * issuer's endpoints: `jwt_vc_json` is the VCDM 1.1 JWT encoding (OpenID4VCI 1.0 Appendix A.1.1,
 * whose [VC_DATA] is VCDM 1.1), VCDM 2.0 secured with JOSE is `vc+jwt` (the working group's profile
 * toward 1.1, VC-JOSE-COSE §3.1.1). Expected values are written from those texts.
 */
const server = issuerBehindForeignAsForFile();
let adminToken: string;

/** The demo national ID configuration, as a VCDM 2.0 `vc+jwt` one. */
const demo = JSON.parse(readFileSync('config/demo/configurations/national_id_jwt_vc.json', 'utf8'));
const vcJwtConfiguration = { ...demo, id: 'national_id_vc_jwt', format: 'vc+jwt', dataModel: '2.0' };

beforeAll(async () => {
  adminToken = await server.as.mint({ claims: { sub: 'ops', client_id: 'ops', scope: 'issuer:admin' } });
});

async function admin(method: string, path: string, body?: unknown) {
  const response = await fetch(`${server.issuer.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function supported(path = '/.well-known/openid-credential-issuer') {
  const metadata = (await (await fetch(`${server.issuer.url}${path}`)).json()) as {
    credential_configurations_supported: Record<string, Record<string, unknown>>;
  };
  return metadata.credential_configurations_supported;
}

/** The metadata once `id` is offered (the issuer re-reads configurations within seconds). */
async function offered(id: string) {
  const deadline = Date.now() + 8000;
  for (;;) {
    const all = await supported();
    if (all[id] || Date.now() > deadline) return all;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function issue(configurationId: string): Promise<string> {
  const claims = { sub: '5102030400', scope: 'national_id' };
  return (await issueOne(server, configurationId, { claims })) as string;
}

describe('jwt_vc_json and vc+jwt', () => {
  it('the demo jwt_vc_json issues the VCDM 1.1 JWT encoding (VCDM 1.1 §6.3.1)', async () => {
    expect((await supported()).national_id_jwt_vc).toMatchObject({
      format: 'jwt_vc_json',
      credential_definition: { type: ['VerifiableCredential', 'NationalIdCredential'] },
    });
    const jwt = await issue('national_id_jwt_vc');
    expect(decodeProtectedHeader(jwt).typ).toBe('JWT');
    const payload = decodeJwt(jwt) as Record<string, unknown> & { vc: Record<string, unknown> };
    // "vc: JSON object, which MUST be present in a JWT verifiable credential" (VCDM 1.1 §6.3.1).
    expect(payload.vc['@context']).toEqual(
      expect.arrayContaining(['https://www.w3.org/2018/credentials/v1']),
    );
    expect((payload.vc['@context'] as string[])[0]).toBe('https://www.w3.org/2018/credentials/v1');
    expect(payload.vc.type).toEqual(['VerifiableCredential', 'NationalIdCredential']);
    expect(payload.vc).not.toHaveProperty('issuer');
    expect(payload.vc).not.toHaveProperty('issuanceDate');
    expect(payload.iss).toMatch(/^did:web:/);
    expect(payload.sub).toMatch(/^did:jwk:/);
    expect(typeof payload.nbf).toBe('number');
    expect(payload.jti).toMatch(/^urn:uuid:/);
    expect((payload.vc.credentialSubject as Record<string, unknown>).familyName).toBe('Okafor');
  });

  it('refuses a jwt_vc_json configuration for VCDM 2.0, naming vc+jwt', async () => {
    const refused = await admin('POST', '/admin/configurations', {
      ...demo,
      id: 'national_id_jwt_vc_v2',
      credentialDefinition: { type: ['VerifiableCredential', 'OtherIdCredential'] },
      dataModel: '2.0',
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('invalid_configuration');
    expect(refused.body.error_description).toContain('dataModel: jwt_vc_json issues VCDM 1.1 only');
    expect(refused.body.error_description).toContain('vc+jwt');
  });

  it('vc+jwt issues VCDM 2.0 secured with JOSE (VC-JOSE-COSE §3.1.1); draft 13 has no such format', async () => {
    expect((await admin('POST', '/admin/configurations', vcJwtConfiguration)).status).toBe(201);
    expect((await offered('national_id_vc_jwt')).national_id_vc_jwt).toMatchObject({
      format: 'vc+jwt',
      credential_definition: { type: ['VerifiableCredential', 'NationalIdCredential'] },
    });
    const jwt = await issue('national_id_vc_jwt');
    expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'vc+jwt', cty: 'vc' });
    const payload = decodeJwt(jwt) as Record<string, unknown>;
    expect((payload['@context'] as string[])[0]).toBe('https://www.w3.org/ns/credentials/v2');
    expect(payload).not.toHaveProperty('vc');
    expect(payload.issuer).toMatch(/^did:web:/);
    expect(typeof payload.validFrom).toBe('string');
    // The draft-13 view lists only identifiers draft 13 defines.
    const draft13 = await supported('/.well-known/openid-credential-issuer/draft13');
    expect(draft13.national_id_jwt_vc?.format).toBe('jwt_vc_json');
    expect(draft13.national_id_vc_jwt).toBeUndefined();
  });
});
