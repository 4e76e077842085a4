import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { issuerConfig, startIssuer, type TestIssuer } from './helpers/issuer.js';

let issuer: TestIssuer;
let as: ForeignAs;
let token: string;

beforeAll(async () => {
  const prepared = await issuerConfig();
  as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  issuer = await startIssuer([as.url], prepared);
  token = await as.mint({ claims: { sub: 'ops-console', client_id: 'ops-console', scope: 'issuer:admin' } });
});

afterAll(async () => {
  await issuer?.stop();
  await as?.stop();
});

async function admin(method: string, path: string, body?: unknown, authorization = `Bearer ${token}`) {
  const response = await fetch(`${issuer.url}${path}`, {
    method,
    headers: { authorization, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/**
 * The metadata document as served once `accept` holds: the configuration source sees a change
 * within a second, the metadata builder's own cache may add a few more (bounded poll, 8 s).
 */
async function offeredWhen(
  accept: (supported: Record<string, Record<string, unknown>>) => boolean,
): Promise<Record<string, Record<string, unknown>>> {
  const deadline = Date.now() + 8000;
  for (;;) {
    const supported = await offered();
    if (accept(supported) || Date.now() > deadline) return supported;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function offered(): Promise<Record<string, Record<string, unknown>>> {
  const response = await fetch(`${issuer.url}/.well-known/openid-credential-issuer`);
  return (
    (await response.json()) as {
      credential_configurations_supported: Record<string, Record<string, unknown>>;
    }
  ).credential_configurations_supported;
}

const membership = {
  id: 'library_card',
  format: 'dc+sd-jwt',
  scope: 'national_id',
  vct: 'urn:attesta:test:library-card',
  display: [{ name: 'Library card', locale: 'en' }],
  claims: [
    { path: ['name'], disclosable: true, display: [{ name: 'Name', locale: 'en' }] },
    { path: ['adult'], disclosable: true, display: [{ name: 'Adult', locale: 'en' }] },
  ],
  provider: { type: 'registry' },
  template: {
    name: 'library-v1',
    output: { name: '$uppercase(fullName)', adult: '$ageOver(birthDate, 18)', born: '$date(birthDate)' },
  },
  ledgerIndex: ['name'],
};

describe('admin API: configurations', () => {
  it('ships the demo configurations: national ID, insurance policy and driving licence in several formats', async () => {
    const { body } = await admin('GET', '/admin/configurations');
    const list = body.configurations as { id: string; format: string; enabled: boolean }[];
    expect(list.map((c) => c.id).sort()).toEqual(
      expect.arrayContaining([
        'driving_licence_mdoc',
        'driving_licence_sd_jwt',
        'insurance_policy_jwt_vc',
        'insurance_policy_sd_jwt',
        'national_id_jwt_vc',
        'national_id_ldp_vc',
        'national_id_sd_jwt',
      ]),
    );
    expect(list.every((c) => c.enabled)).toBe(true);
  });

  it('create, read, update, disable: the metadata follows without a restart', async () => {
    const created = await admin('POST', '/admin/configurations', membership);
    expect(created.status).toBe(201);
    expect((await admin('POST', '/admin/configurations', membership)).status).toBe(409);
    expect((await admin('GET', '/admin/configurations/library_card')).body).toMatchObject({
      id: 'library_card',
      enabled: true,
    });
    expect((await offered()).library_card).toMatchObject({
      format: 'dc+sd-jwt',
      vct: 'urn:attesta:test:library-card',
    });

    const renamed = { ...membership, display: [{ name: 'Library membership', locale: 'en' }] };
    expect((await admin('PUT', '/admin/configurations/library_card', renamed)).status).toBe(200);
    const nameOf = (s: Record<string, Record<string, unknown>>) =>
      (s.library_card?.credential_metadata as { display: { name: string }[] } | undefined)?.display[0]?.name;
    expect(nameOf(await offeredWhen((s) => nameOf(s) === 'Library membership'))).toBe('Library membership');

    expect((await admin('POST', '/admin/configurations/library_card/disable')).status).toBe(200);
    expect((await offeredWhen((s) => !('library_card' in s))).library_card).toBeUndefined();
    expect((await admin('GET', '/admin/configurations/library_card')).body).toMatchObject({ enabled: false });
    expect((await admin('POST', '/admin/configurations/library_card/enable')).status).toBe(200);
    expect((await offeredWhen((s) => 'library_card' in s)).library_card).toBeDefined();
  });

  it('refuses an invalid configuration with the problems named', async () => {
    const result = await admin('POST', '/admin/configurations', {
      ...membership,
      id: 'mixed',
      format: 'ldp_vc',
      proofSuite: 'ecdsa-rdfc-2019',
      signingAlg: 'EdDSA',
    });
    expect(result.status).toBe(400);
    expect(result.body.error).toBe('invalid_configuration');
    expect(result.body.error_description).toContain(
      'signingAlg: ecdsa-rdfc-2019 signs with ES256, not EdDSA',
    );
    expect(result.body.error_description).toContain(
      'credentialDefinition.type: must include VerifiableCredential',
    );
    expect(
      (await admin('PUT', '/admin/configurations/nothing', { ...membership, id: 'nothing' })).status,
    ).toBe(404);
  });

  it('dry-runs a template against sample data, saved or not', async () => {
    const record = { fullName: 'Ada Lovelace', birthDate: '10/12/1815' };
    const saved = await admin('POST', '/admin/templates/render', { configurationId: 'library_card', record });
    expect(saved.status).toBe(200);
    expect(saved.body.rendered).toEqual({ name: 'ADA LOVELACE', adult: true, born: '1815-12-10' });
    expect(saved.body.document).toEqual({
      kind: 'sd-jwt',
      claims: { name: 'ADA LOVELACE', adult: true, born: '1815-12-10' },
      disclosable: [['name'], ['adult']],
    });
    const mdoc = await admin('POST', '/admin/templates/render', {
      configurationId: 'driving_licence_mdoc',
      record: {
        family_name: 'Okafor',
        given_name: 'Amara',
        birth_date: '1970-03-13',
        issue_date: '2021-01-15',
        expiry_date: '2031-01-14',
        document_number: 'DL1',
        categories: 'A;B',
      },
    });
    expect(mdoc.body.document).toMatchObject({
      kind: 'mdoc',
      docType: 'org.iso.18013.5.1.mDL',
      namespaces: {
        'org.iso.18013.5.1': {
          document_number: 'DL1',
          age_over_18: true,
          driving_privileges: [
            { vehicle_category_code: 'A', issue_date: '2021-01-15' },
            { vehicle_category_code: 'B', issue_date: '2021-01-15' },
          ],
        },
      },
    });
    const broken = await admin('POST', '/admin/templates/render', {
      configuration: { ...membership, template: { name: 'dates', output: { born: '$date(fullName)' } } },
      record,
    });
    expect(broken.body).toEqual({
      error: 'invalid_configuration',
      error_description: 'configuration library_card, template dates, path born: $date: not a date',
    });
  });

  it('serves an OpenAPI description of the admin API, to admins only', async () => {
    const { status, body } = await admin('GET', '/admin/openapi.json');
    expect(status).toBe(200);
    expect(body.openapi).toBe('3.1.0');
    expect(Object.keys(body.paths as object)).toEqual(
      expect.arrayContaining([
        '/admin/configurations',
        '/admin/credentials/{id}/status',
        '/admin/templates/render',
      ]),
    );
    expect((await fetch(`${issuer.url}/admin/openapi.json`)).status).toBe(401);
  });

  it('every admin route refuses anonymous and wrong callers', async () => {
    const routes: [string, string][] = [
      ['GET', '/admin/configurations'],
      ['POST', '/admin/configurations'],
      ['GET', '/admin/configurations/national_id_sd_jwt'],
      ['PUT', '/admin/configurations/national_id_sd_jwt'],
      ['POST', '/admin/configurations/national_id_sd_jwt/disable'],
      ['POST', '/admin/configurations/national_id_sd_jwt/enable'],
      ['POST', '/admin/templates/render'],
      ['POST', '/admin/credentials/search'],
      ['GET', '/admin/credentials/urn:uuid:x'],
      ['POST', '/admin/credentials/urn:uuid:x/status'],
      ['POST', '/admin/status-lists/abc/entries/1/status'],
      ['GET', '/admin/audit'],
      ['GET', '/admin/openapi.json'],
    ];
    const person = await as.mint({ claims: { scope: 'issuer:admin' } });
    for (const [method, path] of routes) {
      for (const authorization of ['', 'Bearer atk_AAAAAAAAAAAAAAAA_bad', `Bearer ${person}`]) {
        const response = await fetch(`${issuer.url}${path}`, {
          method,
          headers: authorization
            ? { authorization, 'content-type': 'application/json' }
            : { 'content-type': 'application/json' },
          body: method === 'GET' ? undefined : '{}',
        });
        expect([401, 403], `${method} ${path} with "${authorization.slice(0, 12)}"`).toContain(
          response.status,
        );
      }
    }
    // The configuration is untouched.
    expect((await admin('GET', '/admin/configurations/national_id_sd_jwt')).body).toMatchObject({
      enabled: true,
    });
  });
});
