import { rmSync } from 'node:fs';
import { decodeJwt } from 'jose';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { chooseAcr } from '../../src/authz/factors/acr.js';
import { Realms } from '../../src/authz/realms.js';
import { SqlIdentityRegistry } from '../../src/platform/registry/index.js';
import { testConfig } from '../helpers/system.js';
import { AMARA, authorize, authzForFile, Browser } from './helpers.js';

/**
 * A second KBI realm (config/default.json): the `insurance_policy` scope signs in with policy
 * number + full name + date of birth against config/demo/insurance-policies.csv, and the account
 * (`sub`) is the policy number the issuer looks the policy up by.
 */
const INSURANCE_ACR = 'urn:attesta:acr:kbi-insurance';
const POLICY = { policy_number: 'POL-0700100', full_name: 'Amara Okafor', date_of_birth: '1970-03-13' };
const INSURANCE = { scope: 'openid insurance_policy' };

const authz = authzForFile();

/** The sign-in page an authorization request leads to. */
async function signInPage(params: Record<string, string>): Promise<string> {
  const url = client.buildAuthorizationUrl(authz.rp, {
    redirect_uri: authz.config.authz.clients[0]?.redirect_uris[0] ?? '',
    scope: 'openid national_id',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    resource: authz.config.authz.resources[0]?.identifier ?? '',
    ...params,
  });
  const { response } = await new Browser().follow(url, authz.config.authz.publicUrl);
  expect(response.status).toBe(200);
  return response.text();
}

/** The mismatch page without the interaction id (which differs per request). */
const withoutUid = (html: string) => html.replaceAll(/\/interaction\/[A-Za-z0-9_-]+/g, '/interaction/…');

describe('the insurance realm', () => {
  it('asks for policy number, full name and date of birth when the request asks for insurance_policy', async () => {
    const en = await signInPage(INSURANCE);
    expect(en).toContain('<label for="policy_number">Policy number</label>');
    expect(en).toContain('<label for="full_name">Full name</label>');
    expect(en).toContain('<label for="date_of_birth">Date of birth</label>');
    expect(en).not.toContain('name="individual_id"');
    expect(await signInPage({ ...INSURANCE, ui_locales: 'fr' })).toContain(
      '<label for="policy_number">Numéro de police</label>',
    );
    expect(await signInPage({ ...INSURANCE, ui_locales: 'ar' })).toContain(
      '<label for="policy_number">رقم البوليصة</label>',
    );
  });

  it('keeps the default realm for other scopes, and when the request names an allowed ACR', async () => {
    const national = await signInPage({});
    expect(national).toContain('<label for="individual_id">Individual ID</label>');
    expect(national).not.toContain('name="policy_number"');
    const named = await signInPage({ ...INSURANCE, acr_values: 'urn:attesta:acr:kbi' });
    expect(named).toContain('name="individual_id"');
    expect(named).not.toContain('name="policy_number"');
  });

  it('signs in by policy: sub of the ID and access tokens is the policy number, claims from the policy', async () => {
    const run = await authorize(authz.config, authz.rp, POLICY, INSURANCE);
    expect(run.url.pathname).toBe('/callback');
    const tokens = await client.authorizationCodeGrant(
      authz.rp,
      run.url,
      { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
      { resource: authz.config.authz.resources[0]?.identifier ?? '' },
    );
    const idToken = tokens.claims();
    expect(idToken).toMatchObject({ sub: 'POL-0700100', acr: INSURANCE_ACR, amr: ['kba'] });
    const accessToken = decodeJwt(tokens.access_token);
    expect(accessToken).toMatchObject({ sub: 'POL-0700100', scope: 'insurance_policy' });
    expect(accessToken.aud).toBe(authz.config.authz.resources[0]?.identifier);
  });

  it('answers userinfo from the policy registry (the access token carries the realm ACR)', async () => {
    // No resource: the access token is for userinfo; the realm is named by acr_values.
    const run = await authorize(authz.config, authz.rp, POLICY, {
      scope: 'openid',
      acr_values: INSURANCE_ACR,
      claims: JSON.stringify({ userinfo: { name: null, birthdate: null } }),
      resource: '',
    });
    const tokens = await client.authorizationCodeGrant(authz.rp, run.url, {
      pkceCodeVerifier: run.codeVerifier,
      expectedState: run.state,
    });
    const userinfo = await client.fetchUserInfo(authz.rp, tokens.access_token, 'POL-0700100');
    expect(userinfo).toMatchObject({ sub: 'POL-0700100', name: 'Amara Okafor', birthdate: '1970-03-13' });
  });

  it('gives wrong details and an unknown policy the same generic answer', async () => {
    const wrongName = await authorize(
      authz.config,
      authz.rp,
      { ...POLICY, full_name: 'Amara Okafo' },
      INSURANCE,
    );
    const wrongDate = await authorize(
      authz.config,
      authz.rp,
      { ...POLICY, date_of_birth: '1970-03-14' },
      INSURANCE,
    );
    const unknown = await authorize(
      authz.config,
      authz.rp,
      { ...POLICY, policy_number: 'POL-0799999' },
      INSURANCE,
    );
    const pages = await Promise.all([wrongName, wrongDate, unknown].map((run) => run.response.text()));
    for (const [index, run] of [wrongName, wrongDate, unknown].entries()) {
      expect(run.response.status).toBe(200);
      expect(pages[index]).toContain('The details you entered do not match our records.');
    }
    // Apart from the re-filled policy number, the unknown policy's page is the wrong name's page.
    expect(withoutUid(pages[2] ?? '').replace('POL-0799999', 'POL-0700100')).toBe(withoutUid(pages[0] ?? ''));
    expect(pages[0]).not.toContain('Amara');
  });

  it('does not let national-ID details in, nor policy details into the default realm', async () => {
    const national = await authorize(
      authz.config,
      authz.rp,
      { policy_number: AMARA.individual_id, full_name: AMARA.full_name, date_of_birth: AMARA.date_of_birth },
      INSURANCE,
    );
    expect(national.response.status).toBe(400);
    expect(await national.response.text()).toContain('Fill in every field in the expected format');
    const policyAsNational = await authorize(authz.config, authz.rp, {
      individual_id: POLICY.policy_number,
      full_name: POLICY.full_name,
      date_of_birth: POLICY.date_of_birth,
    });
    expect(policyAsNational.response.status).toBe(200);
    expect(await policyAsNational.response.text()).toContain('do not match our records');
  });

  it('locks a policy number out after repeated failures, apart from the same string in the default realm', async () => {
    const lucas = { policy_number: 'POL-0700137', full_name: 'Lucas Moreau', date_of_birth: '2002-09-04' };
    const { failures } = authz.config.authz.login.lockout;
    for (let i = 0; i < failures; i++) {
      // A fresh request each time, so the per-request attempt limit never ends the sign-in first.
      const run = await authorize(
        authz.config,
        authz.rp,
        { ...lucas, full_name: 'Somebody Else' },
        INSURANCE,
      );
      expect(await run.response.text()).toContain('do not match our records');
    }
    const right = await authorize(authz.config, authz.rp, lucas, INSURANCE);
    expect(await right.response.text()).toContain('Too many failed attempts for this ID.');
    // The default realm counts its IDs apart: the same string there is merely unknown.
    const elsewhere = await authorize(authz.config, authz.rp, {
      individual_id: lucas.policy_number,
      full_name: lucas.full_name,
      date_of_birth: lucas.date_of_birth,
    });
    const page = await elsewhere.response.text();
    expect(page).toContain('do not match our records');
    expect(page).not.toContain('Too many failed attempts');
  });

  it('lists the realm ACR in discovery', async () => {
    expect(authz.rp.serverMetadata().acr_values_supported).toContain(INSURANCE_ACR);
  });
});

describe('choosing the ACR by scope', () => {
  const acrByScope = { insurance_policy: INSURANCE_ACR };
  const allowed = ['urn:attesta:acr:kbi', INSURANCE_ACR];
  const choose = (request: { scope?: string; acrValues?: string }, allowedAcrs = allowed) =>
    chooseAcr({
      ...request,
      acrByScope,
      allowed: allowedAcrs,
      extraSupported: [INSURANCE_ACR],
      defaultAcr: 'urn:attesta:acr:kbi',
    });

  it('maps a scope to its ACR, lets a named allowed ACR win, and never grants one not allowed', () => {
    expect(choose({ scope: 'openid insurance_policy' })).toBe(INSURANCE_ACR);
    expect(choose({ scope: 'openid national_id' })).toBe('urn:attesta:acr:kbi');
    expect(choose({ scope: 'openid insurance_policy', acrValues: 'urn:attesta:acr:kbi' })).toBe(
      'urn:attesta:acr:kbi',
    );
    // Not allowed for this client: the scope's ACR is ignored.
    expect(choose({ scope: 'openid insurance_policy' }, ['urn:attesta:acr:kbi'])).toBe('urn:attesta:acr:kbi');
    // A realm ACR that is not configured is not supported.
    expect(
      chooseAcr({ scope: 'insurance_policy', acrByScope, allowed, defaultAcr: 'urn:attesta:acr:kbi' }),
    ).toBe('urn:attesta:acr:kbi');
  });
});

describe('realm configuration', () => {
  it('refuses a realm reusing a built-in ACR, or without exactly one ID field', async () => {
    const { config, dataDir: dir } = await testConfig({ services: ['authz'] });
    const registry = await SqlIdentityRegistry.open(config.registry.database);
    try {
      const [realm] = config.authz.login.realms ?? [];
      if (!realm) throw new Error('the default configuration has an insurance realm');
      config.authz.login.realms = [{ ...realm, acr: 'urn:attesta:acr:otp' }];
      await expect(Realms.open(config, registry)).rejects.toThrow(
        'configuration: authz.login.realms[0].acr: urn:attesta:acr:otp is already in use',
      );
      config.authz.login.realms = [{ ...realm, fields: realm.fields.slice(1) }];
      await expect(Realms.open(config, registry)).rejects.toThrow(
        'configuration: authz.login.realms[0].fields: exactly one field must use attribute "individualId"',
      );
    } finally {
      await registry.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
