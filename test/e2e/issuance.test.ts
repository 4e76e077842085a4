import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import { demoIdentities } from '../../src/platform/registry/index.js';
import { launchChromium, screenshotPath } from '../helpers/browser.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';

const person = demoIdentities()[1] ?? demoIdentities()[0];
if (!person) throw new Error('no demo identity');

let browser: Browser | undefined;
beforeAll(async () => {
  browser = await launchChromium();
});
afterAll(async () => {
  await browser?.close();
});

/**
 * The embedded default (a SQLite file per service), and all three services plus the registry sharing
 * one PostgreSQL database, as several instances behind a load balancer would.
 */
describe.each([{ storage: 'sqlite' }, { storage: 'postgres' }])(
  'a person gets a credential in the browser ($storage)',
  ({ storage }) => {
    let system: TestSystem | undefined;
    let database: TestDatabase | undefined;

    beforeAll(async () => {
      if (storage === 'postgres') {
        if (!(await isPostgresAvailable())) return;
        database = await createPostgresDatabase();
        const url = database.url;
        system = await startTestSystem({
          databases: { authz: url, issuer: url, portal: url, registry: url },
        });
      } else {
        system = await startTestSystem();
      }
    });
    afterAll(async () => {
      await system?.stop();
      await database?.drop();
    });

    it('landing page → login form → credential on screen → download', async (context) => {
      if (!browser || !system) return context.skip();
      const { urls } = system;
      const page = await browser.newPage({ acceptDownloads: true });
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));
      page.on(
        'response',
        (response) => response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`),
      );

      await page.goto(urls.portal);
      const types = page.getByTestId('credential-types');
      await expect.poll(() => types.isVisible()).toBe(true);
      expect(await types.textContent()).toContain('National ID');
      await page.screenshot({ path: screenshotPath(`e2e-${storage}-1-landing`), fullPage: true });

      await page.getByTestId('start-national_id_sd_jwt').click();
      await page.waitForURL((url) => url.href.startsWith(urls.authz));
      await page.getByLabel('Individual ID').fill(person.individualId);
      await page.getByLabel('Full name').fill(person.fullName.toUpperCase());
      await page.getByLabel('Date of birth').fill(person.birthDate);
      await page.screenshot({ path: screenshotPath(`e2e-${storage}-2-login`), fullPage: true });
      await page.getByRole('button', { name: 'Continue' }).click();

      await page.waitForURL((url) => url.href.startsWith(`${urls.portal}/credentials/`));
      const claims = page.getByTestId('claims');
      expect(await claims.locator('[data-claim="given_name"]').textContent()).toContain(person.givenName);
      expect(await claims.locator('[data-claim="family_name"]').textContent()).toContain(person.familyName);
      // The date written out in the page language, the ISO date kept in <time datetime>.
      expect(await claims.locator('[data-claim="birthdate"] time').getAttribute('datetime')).toBe(
        person.birthDate,
      );
      await page.screenshot({ path: screenshotPath(`e2e-${storage}-3-credential`), fullPage: true });

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.getByTestId('download').click(),
      ]);
      const credential = readFileSync((await download.path()) ?? '', 'utf8');
      const jwks = (await (await fetch(`${urls.issuer}/.well-known/jwt-vc-issuer`)).json()) as {
        jwks: { keys: [] };
      };
      const verified = await verifySdJwtVc(credential, {
        issuerJwks: jwks.jwks,
        expectedIssuer: urls.issuer,
      });
      expect(verified.claims.given_name).toBe(person.givenName);
      expect(problems).toEqual([]);
    });

    it('wrong details keep the person on the form with a message that names no field', async (context) => {
      if (!browser || !system) return context.skip();
      const { urls } = system;
      const page = await browser.newPage();
      await page.goto(urls.portal);
      await page.getByTestId('start-national_id_sd_jwt').click();
      await page.waitForURL((url) => url.href.startsWith(urls.authz));
      await page.getByLabel('Individual ID').fill(person.individualId);
      await page.getByLabel('Full name').fill(person.fullName);
      await page.getByLabel('Date of birth').fill('1999-01-01');
      await page.getByRole('button', { name: 'Continue' }).click();
      const wrongDate = await page.getByRole('alert').textContent();
      expect(wrongDate).toContain('do not match our records');
      expect(page.url().startsWith(urls.authz)).toBe(true);
      await page.screenshot({ path: screenshotPath(`e2e-${storage}-4-wrong-details`), fullPage: true });

      // An unknown individual ID gets exactly the same message: the form tells nothing about which field failed.
      await page.getByLabel('Individual ID').fill('0000000000');
      await page.getByLabel('Full name').fill(person.fullName);
      await page.getByLabel('Date of birth').fill(person.birthDate);
      await page.getByRole('button', { name: 'Continue' }).click();
      expect(await page.getByRole('alert').textContent()).toBe(wrongDate);
    });
  },
);
