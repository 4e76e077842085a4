import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { issuerBehindForeignAsForFile, requestCredential } from './helpers/issue-credential.js';

const server = issuerBehindForeignAsForFile();

/** A request for `sub`'s credential, with a token that has every demo scope. */
function request(configurationId: string, sub: string) {
  return requestCredential(server, configurationId, {
    claims: { sub, scope: 'national_id insurance_policy driving_licence' },
  });
}

/** The issuer-signed claims of an SD-JWT (disclosures decoded) or a JWT. */
function sdJwtClaims(credential: string): Record<string, unknown> {
  const [jwt, ...disclosures] = credential.split('~');
  const claims = decodeJwt(jwt as string) as Record<string, unknown>;
  for (const disclosure of disclosures.filter(Boolean)) {
    const decoded = JSON.parse(Buffer.from(disclosure, 'base64url').toString()) as unknown[];
    if (decoded.length === 3) claims[decoded[1] as string] = decoded[2];
  }
  return claims;
}

describe('the demo credential types', () => {
  it('insurance policy (CSV by policy number) as dc+sd-jwt, with a token status entry', async () => {
    const { status, body } = await request('insurance_policy_sd_jwt', 'POL-0700100');
    expect(status).toBe(200);
    const claims = sdJwtClaims((body.credentials as { credential: string }[])[0]?.credential as string);
    expect(claims).toMatchObject({
      vct: `${server.issuer.url}/types/insurance-policy`,
      policy_number: 'POL-0700100',
      holder_name: 'Amara Okafor',
      birthdate: '1970-03-13',
      insurer: 'Attesta Mutual',
      coverage: ['hospital'],
      valid_until: '2030-12-31',
      dependants: 0,
      status: { status_list: { idx: expect.any(Number), uri: expect.stringContaining('/status/token/') } },
    });
  });

  it('refuses a policy that has ended, before anything is recorded', async () => {
    const before = (await server.database.db.selectFrom('issuer_ledger').selectAll().execute()).length;
    const { status, body } = await request('insurance_policy_sd_jwt', 'POL-0700999');
    expect(status).toBe(400);
    expect(body).toEqual({
      error: 'credential_request_denied',
      error_description: 'the record this credential attests has expired',
    });
    expect((await server.database.db.selectFrom('issuer_ledger').selectAll().execute()).length).toBe(before);
  });

  it('insurance policy as jwt_vc_json (VCDM 1.1 JWT encoding: the credential in the `vc` claim)', async () => {
    const { status, body } = await request('insurance_policy_jwt_vc', 'POL-0700137');
    expect(status).toBe(200);
    const { vc } = decodeJwt((body.credentials as { credential: string }[])[0]?.credential as string) as {
      vc: { credentialSubject: Record<string, unknown>; type: string[]; '@context': string[] };
    };
    expect(vc['@context'][0]).toBe('https://www.w3.org/2018/credentials/v1');
    expect(vc.type).toContain('InsurancePolicyCredential');
    expect(vc.credentialSubject).toMatchObject({ policy_number: 'POL-0700137', plan: 'standard' });
  });

  it('a policy whose data is not ready yet is deferred', async () => {
    const { status, body } = await request('insurance_policy_sd_jwt', 'POL-0799999');
    expect(status).toBe(202);
    expect(body).toMatchObject({ transaction_id: expect.any(String), interval: 60 });
  });

  it('driving licence (CSV by individual ID) as dc+sd-jwt and mso_mdoc', async () => {
    const sd = await request('driving_licence_sd_jwt', '5102030400');
    expect(sd.status).toBe(200);
    expect(
      sdJwtClaims((sd.body.credentials as { credential: string }[])[0]?.credential as string),
    ).toMatchObject({
      document_number: 'DL880000',
      categories: ['B'],
      age_over_18: true,
    });
    const mdoc = await request('driving_licence_mdoc', '5102030400');
    expect(mdoc.status, JSON.stringify(mdoc.body)).toBe(200);
    expect(typeof (mdoc.body.credentials as { credential: unknown }[])[0]?.credential).toBe('string');
    // A person without a licence record has none.
    const none = await request('driving_licence_mdoc', '5102034852');
    expect(none.body).toEqual({
      error: 'invalid_credential_request',
      error_description: 'no record for this subject in the data of configuration driving_licence_mdoc',
    });
  });

  it('national ID in three formats; every credential is in the ledger, without PII', async () => {
    for (const id of ['national_id_sd_jwt', 'national_id_jwt_vc', 'national_id_ldp_vc']) {
      expect((await request(id, '5102031513')).status).toBe(200);
    }
    const rows = await server.database.db.selectFrom('issuer_ledger').selectAll().execute();
    expect(new Set(rows.map((r) => r.configuration_id))).toEqual(
      new Set([
        'insurance_policy_sd_jwt',
        'insurance_policy_jwt_vc',
        'driving_licence_sd_jwt',
        'driving_licence_mdoc',
        'national_id_sd_jwt',
        'national_id_jwt_vc',
        'national_id_ldp_vc',
      ]),
    );
    const dump = JSON.stringify([
      rows,
      await server.database.db.selectFrom('issuer_ledger_attributes').selectAll().execute(),
    ]);
    for (const pii of ['5102031513', 'Moreau', 'POL-0700100', 'DL880000', '2002-09-04'])
      expect(dump).not.toContain(pii);
  });
});
