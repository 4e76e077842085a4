import * as client from 'openid-client';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchChromium, screenshotPath } from '../helpers/browser.js';
import { AMARA, authzForFile } from './helpers.js';

let browser: Browser | undefined;

const authz = authzForFile();
beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

it('signs in through the form in Chromium under the CSP and lands on the callback with a code', async (context) => {
  if (!browser) return context.skip();
  const page = await browser.newPage();
  const messages: string[] = [];
  page.on('console', (message) => messages.push(message.text()));
  const callback = authz.config.authz.clients[0]?.redirect_uris[0] ?? '';
  const url = client.buildAuthorizationUrl(authz.rp, {
    redirect_uri: callback,
    scope: 'openid national_id',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: 'browser',
    resource: authz.config.authz.resources[0]?.identifier ?? '',
  });
  await page.goto(url.href);
  // The stylesheet applied (CSP style-src 'self').
  expect(await page.locator('main.card').evaluate((el) => getComputedStyle(el).borderRadius)).toBe('12px');
  await page.getByLabel('Full name').fill('Wrong Name');
  await page.getByLabel('Individual ID').fill(AMARA.individual_id);
  await page.getByLabel('Date of birth').fill(AMARA.date_of_birth);
  await page.getByRole('button', { name: 'Continue' }).click();
  expect(await page.getByRole('alert').textContent()).toContain('do not match our records');
  await page.screenshot({ path: screenshotPath('authz-login-error'), fullPage: true });
  expect(await page.getByLabel('Full name').inputValue()).toBe('');

  await page.getByLabel('Full name').fill(AMARA.full_name);
  await page.getByLabel('Date of birth').fill(AMARA.date_of_birth);
  const reached = page.waitForRequest((request) => request.url().startsWith(callback));
  await page.getByRole('button', { name: 'Continue' }).click();
  const redirect = new URL((await reached).url());
  expect(redirect.searchParams.get('code')).toBeTruthy();
  expect(redirect.searchParams.get('state')).toBe('browser');
  // No CSP violation (form-action covers the redirect chain back to the client).
  expect(messages.filter((line) => /Content Security Policy/i.test(line))).toEqual([]);
});
