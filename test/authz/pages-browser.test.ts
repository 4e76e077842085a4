import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import * as client from 'openid-client';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACR } from '../../src/authz/factors/acr.js';
import { LOCALES, messagesFor } from '../../src/authz/i18n/index.js';
import { launchChromium, screenshotPath } from '../helpers/browser.js';
import { AMARA, authzForFile } from './helpers.js';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser | undefined;

const authz = authzForFile((test) => {
  test.config.authz.login.implicitConsentClients = [];
  const portal = test.config.authz.clients[0];
  if (portal) {
    portal.acr_values = [ACR.kbi, ACR.otp, ACR.password];
    portal.client_names = { fr: 'Portail Attesta', ar: 'بوابة Attesta' };
  }
});
beforeAll(async () => {
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
});

const callback = () => authz.config.authz.clients[0]?.redirect_uris[0] ?? '';

async function authorizationUrl(params: Record<string, string>) {
  return client.buildAuthorizationUrl(authz.rp, {
    redirect_uri: callback(),
    scope: 'openid national_id',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: 'pages',
    resource: authz.config.authz.resources[0]?.identifier ?? '',
    ...params,
  }).href;
}

/** axe-core in the page (evaluated through the DevTools protocol, so the page CSP stays strict). */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as {
        axe: { run(): Promise<{ passes: unknown[]; violations: { id: string; impact: string }[] }> };
      }
    ).axe;
    const result = await axe.run();
    // axe really ran: the page passed some rules (labels, lang, contrast, …).
    if (result.passes.length === 0) throw new Error('axe-core checked nothing');
    return result.violations.map((v) => ({ id: v.id, impact: v.impact }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id);
}

/** A page in a fresh context (own cookies, CSP reported through the console). */
async function open(locale: string) {
  if (!browser) throw new Error('no browser');
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  const csp: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) csp.push(message.text());
  });
  return { context, page, csp };
}

async function check(page: Page, locale: string, name: string) {
  expect(await page.locator('html').getAttribute('lang')).toBe(locale);
  expect(await page.locator('html').getAttribute('dir')).toBe(locale === 'ar' ? 'rtl' : 'ltr');
  // The shared stylesheet applied (CSP style-src 'self'): the same card on every page.
  expect(await page.locator('main.card').evaluate((el) => getComputedStyle(el).borderRadius)).toBe('12px');
  await page.screenshot({ path: screenshotPath(`authz-${name}-${locale}`), fullPage: true });
  expect(await seriousViolations(page), name).toEqual([]);
}

describe.each(LOCALES)('sign-in pages in Chromium, %s', (locale) => {
  const m = messagesFor(locale);

  it('knowledge-based sign-in by keyboard, then consent, then the callback', async (context) => {
    if (!browser) return context.skip();
    const { context: ctx, page, csp } = await open('en-US');
    // prompt=consent: the consent of an earlier run would otherwise be remembered.
    await page.goto(
      await authorizationUrl({ ui_locales: locale, acr_values: ACR.kbi, prompt: 'login consent' }),
    );
    await check(page, locale, 'kbi');
    // Keyboard only: focus the first field, type, tab to the next, Enter submits.
    await page.locator('#individual_id').focus();
    await page.keyboard.type(AMARA.individual_id);
    await page.keyboard.press('Tab');
    await page.keyboard.type(AMARA.full_name);
    await page.keyboard.press('Tab');
    await page.locator('#date_of_birth').fill(AMARA.date_of_birth);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: m.consentTitle }).waitFor();
    await check(page, locale, 'consent');
    const reached = page.waitForRequest((request) => request.url().startsWith(callback()));
    await page.getByRole('button', { name: m.consentAllow, exact: true }).click();
    expect(new URL((await reached).url()).searchParams.get('code')).toBeTruthy();
    expect(csp).toEqual([]);
    await ctx.close();
  });

  it('password and one-time code pages, a wrong answer announced as an alert', async (context) => {
    if (!browser) return context.skip();
    const { context: ctx, page, csp } = await open(locale);
    await page.goto(await authorizationUrl({ acr_values: ACR.password }));
    await page.getByLabel(m.passwordLabel).waitFor();
    await page.locator('#individual_id').fill(AMARA.individual_id);
    await page.getByLabel(m.passwordLabel).fill('not the password');
    await page.getByRole('button', { name: m.continue }).click();
    expect(await page.getByRole('alert').textContent()).toContain(m.passwordMismatch);
    await check(page, locale, 'password-error');

    await page.goto(await authorizationUrl({ acr_values: ACR.otp }));
    await page.locator('#individual_id').fill(AMARA.individual_id);
    await page.getByRole('button', { name: m.otpSend }).click();
    await page.getByLabel(m.otpCodeLabel).waitFor();
    await check(page, locale, 'otp');
    expect(csp).toEqual([]);
    await ctx.close();
  });

  it('error page for an unregistered redirect_uri (no redirect), in the Accept-Language', async (context) => {
    if (!browser) return context.skip();
    const { context: ctx, page } = await open(locale);
    await page.goto(await authorizationUrl({ redirect_uri: 'https://evil.example/cb' }));
    expect(page.url().startsWith(authz.config.authz.publicUrl)).toBe(true);
    await page.getByRole('heading', { name: m.errorTitle }).waitFor();
    await check(page, locale, 'error');
    await ctx.close();
  });

  it('logout confirmation page (for a signed-in session)', async (context) => {
    if (!browser) return context.skip();
    const { context: ctx, page } = await open(locale);
    await page.goto(await authorizationUrl({ acr_values: ACR.kbi }));
    await page.locator('#individual_id').fill(AMARA.individual_id);
    await page.locator('#full_name').fill(AMARA.full_name);
    await page.locator('#date_of_birth').fill(AMARA.date_of_birth);
    // Nobody listens on the client's callback here: the browser ends on its error page, which is
    // enough, the session cookie is set by then.
    const left = page.waitForEvent(
      'framenavigated',
      (frame) => !frame.url().startsWith(authz.config.authz.publicUrl),
    );
    await page.getByRole('button', { name: m.continue, exact: true }).click();
    // Consent may be remembered from an earlier test; allow when asked.
    const allow = page.getByRole('button', { name: m.consentAllow, exact: true });
    await Promise.race([
      left,
      allow
        .waitFor({ timeout: 10_000 })
        .then(() => allow.click())
        .catch(() => undefined),
    ]);
    await left;
    const clientId = authz.config.authz.clients[0]?.client_id ?? '';
    await page.goto(`${authz.config.authz.publicUrl}/session/end?client_id=${clientId}`);
    await page.getByRole('heading', { name: m.logoutTitle, exact: true }).waitFor();
    await check(page, locale, 'logout');
    await page.getByRole('button', { name: m.logoutYes, exact: true }).click();
    await page.getByRole('heading', { name: m.loggedOutTitle, exact: true }).waitFor();
    await ctx.close();
  });
});

it('switches language with the switcher and keeps it across the form post', async (context) => {
  if (!browser) return context.skip();
  const { context: ctx, page } = await open('en-US');
  await page.goto(await authorizationUrl({ acr_values: ACR.kbi }));
  await page.getByRole('navigation', { name: 'Language' }).getByRole('link', { name: 'العربية' }).click();
  expect(await page.locator('html').getAttribute('dir')).toBe('rtl');
  await page.locator('#individual_id').fill(AMARA.individual_id);
  await page.locator('#full_name').fill('Wrong');
  await page.locator('#date_of_birth').fill(AMARA.date_of_birth);
  await page.getByRole('button', { name: messagesFor('ar').continue }).click();
  expect(await page.locator('html').getAttribute('lang')).toBe('ar');
  expect(await page.getByRole('alert').textContent()).toContain(messagesFor('ar').mismatch);
  await ctx.close();
});
