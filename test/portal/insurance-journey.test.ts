import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackBrowser } from '../helpers/loopback-browser.js';
import { verifyWithPublishedKeys } from '../helpers/published-keys.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';

/**
 * "Insurance policy" through the portal, over HTTP: the portal asks for the `insurance_policy`
 * scope, authz signs the person in to its insurance realm (policy number + full name + date of
 * birth, config/default.json `authz.login.realms`), and the issuer finds the policy by `sub`.
 */
const POLICY = { policy_number: 'POL-0700100', full_name: 'Amara Okafor', date_of_birth: '1970-03-13' };

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => system?.stop());

const claimOf = (page: string, name: string) =>
  new RegExp(`data-claim="${name}"><dt>([^<]*)</dt><dd data-claim-value="${name}">([^<]*)</dd>`)
    .exec(page)
    ?.slice(1);

describe('the insurance policy journey', () => {
  it('signs in by policy number, issues the policy credential and shows its claims', async () => {
    const browser = new LoopbackBrowser();
    const landing = await (await browser.follow(`${system.urls.portal}/`)).text();
    expect(landing).toContain('href="/start/insurance_policy_sd_jwt"');
    const login = await browser.follow(`${system.urls.portal}/start/insurance_policy_sd_jwt`);
    expect(login.status).toBe(200);
    expect(browser.url.startsWith(`${system.urls.authz}/interaction/`)).toBe(true);
    const form = await login.text();
    expect(form).toContain('<label for="policy_number">Policy number</label>');
    expect(form).not.toContain('name="individual_id"');

    const hops: string[] = [];
    const result = await browser.submit(form, /\/login$/, POLICY, hops);
    expect(hops.some((h) => h.startsWith(`${system.urls.portal}/callback?`))).toBe(true);
    expect(browser.url).toMatch(new RegExp(`^${system.urls.portal}/credentials/[A-Za-z0-9_-]{22}$`));
    expect(result.status).toBe(200);
    const page = await result.text();
    expect(claimOf(page, 'policy_number')).toEqual(['Policy number', 'POL-0700100']);
    expect(claimOf(page, 'holder_name')).toEqual(['Policy holder', 'Amara Okafor']);
    // Dates in the page language, machine-readable in <time>.
    expect(page).toContain(
      '<dd data-claim-value="birthdate"><time datetime="1970-03-13">13 March 1970</time></dd>',
    );
    expect(claimOf(page, 'plan')?.[1]).toBe('basic');

    const download = await browser.go(`${browser.url}/download`);
    expect(download.status).toBe(200);
    const credential = await download.text();
    const verified = await verifyWithPublishedKeys(credential, system.urls.issuer);
    expect(verified.claims).toMatchObject({
      policy_number: 'POL-0700100',
      holder_name: 'Amara Okafor',
      insurer: 'Attesta Mutual',
      valid_until: '2030-12-31',
    });
    expect(decodeJwt(credential.split('~')[0] ?? '').cnf).toHaveProperty('jwk');
  });

  it('issues the policy as jwt_vc_json through the same sign-in', async () => {
    const browser = new LoopbackBrowser();
    const form = await (await browser.follow(`${system.urls.portal}/start/insurance_policy_jwt_vc`)).text();
    expect(form).toContain('<label for="policy_number">Policy number</label>');
    const result = await browser.submit(form, /\/login$/, POLICY);
    expect(browser.url).toMatch(new RegExp(`^${system.urls.portal}/credentials/[A-Za-z0-9_-]{22}$`));
    expect(result.status).toBe(200);
    const page = await result.text();
    expect(page).toContain('POL-0700100');
    expect(page).toContain('Amara Okafor');
  });

  it('answers wrong policy details with the generic message, at authz', async () => {
    const browser = new LoopbackBrowser();
    const form = await (await browser.follow(`${system.urls.portal}/start/insurance_policy_sd_jwt`)).text();
    const page = await browser.submit(form, /\/login$/, { ...POLICY, date_of_birth: '1970-03-14' });
    expect(page.status).toBe(200);
    expect(browser.url.startsWith(`${system.urls.authz}/interaction/`)).toBe(true);
    expect(await page.text()).toContain('The details you entered do not match our records.');
  });
});
