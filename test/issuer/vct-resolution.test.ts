import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { expect, it } from 'vitest';
import { issueOne, issuerBehindForeignAsForFile } from './helpers/issue-credential.js';

/**
 * SD-JWT VC §6.3.1: a `vct` that is an https URL is where a verifier fetches the type's metadata.
 * The demo `vct`s are URLs of the issuer, and what they serve is what `vct#integrity` hashes.
 */
const server = issuerBehindForeignAsForFile();

async function issue(configurationId: string, sub: string): Promise<string> {
  const claims = { sub, scope: 'national_id insurance_policy driving_licence' };
  return ((await issueOne(server, configurationId, { claims })) as string | undefined) ?? '';
}

it.each([
  ['national_id_sd_jwt', '5102030400', 'national-id'],
  ['insurance_policy_sd_jwt', 'POL-0700100', 'insurance-policy'],
  ['driving_licence_sd_jwt', '5102030400', 'driving-licence'],
])(
  '%s: the credential vct is a URL that serves its type metadata, matching vct#integrity',
  async (id, sub, name) => {
    const metadata = (await (
      await fetch(`${server.issuer.url}/.well-known/openid-credential-issuer`)
    ).json()) as {
      credential_configurations_supported: Record<string, { vct?: string }>;
    };
    const vct = metadata.credential_configurations_supported[id]?.vct;
    expect(vct).toBe(`${server.issuer.url}/types/${name}`);

    const credential = await issue(id, sub);
    const payload = decodeJwt(credential.split('~')[0] as string);
    expect(payload.vct).toBe(vct);

    const response = await fetch(vct as string);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect((JSON.parse(text) as { vct: string }).vct).toBe(vct);
    expect(payload['vct#integrity']).toBe(`sha256-${createHash('sha256').update(text).digest('base64')}`);
    // The same bytes as the configuration's own address.
    expect(await (await fetch(`${server.issuer.url}/type-metadata/${id}`)).text()).toBe(text);
  },
);

it('a type URL the issuer does not define is a 404 in the protocol error shape', async () => {
  const response = await fetch(`${server.issuer.url}/types/no-such-type`);
  expect(response.status).toBe(404);
  expect(await response.json()).toEqual({ error: 'not_found', error_description: 'no type metadata' });
});
