import { readFileSync } from 'node:fs';
import { setGlobalConfig } from '@openid4vc/openid4vci';
import { decodeJwt } from 'jose';
import lighthouse from 'lighthouse';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import { ApiKeyStore } from '../../src/issuer/admin/api-keys.js';
import type { AdminTables } from '../../src/issuer/admin/tables.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { demoIdentities } from '../../src/platform/registry/index.js';
import { issuerKey } from '../../src/portal/catalog/catalogs.js';
import { pixelPassDecode } from '../../src/portal/render/pixelpass.js';
import { CHROMIUM_PATH, launchChromium } from '../helpers/browser.js';
import { decodeQr } from '../helpers/qr.js';
import { freePort, startTestSystem, type TestSystem } from '../helpers/system.js';
import { pdfPageSize, pdfQrCodes, pdfText } from '../portal/pdf-tools.js';
import { checkpoint, signIn } from './portal-helpers.js';
import { printToolsAvailable, readPrintedQr } from './print-qr.js';
import { redeemOffer } from './wallet-client.js';

/**
 * The person's journeys through the portal in Chromium, in English, French and Arabic: catalogue
 * and search, a credential in guest mode with its card and downloads (raw, JSON, PDF whose text
 * and QR code are read back independently), the verify page, a credential bound to a key of the
 * browser, and the pages for a cancelled sign-in, an expired session and an unavailable issuer.
 * Every page gets a screenshot and an axe-core check.
 */
const people = demoIdentities();
const LANGUAGES = [
  {
    lang: 'en',
    dir: 'ltr',
    heading: 'Get a digital credential',
    cancelled: 'Sign-in cancelled',
    denied: 'You did not agree to share your details',
    locked: 'Sign-in is locked for now',
    notFound: 'Page not found',
    expired: 'This sign-in has expired',
    unavailable: 'The credential issuer is not available',
    valid: 'The credential is valid',
    pdfLead: 'Issued by',
    person: people[1],
  },
  {
    lang: 'fr',
    dir: 'ltr',
    heading: 'Obtenir une attestation numérique',
    cancelled: 'Identification annulée',
    denied: 'Vous n’avez pas accepté de partager vos informations',
    locked: 'L’identification est bloquée pour l’instant',
    notFound: 'Page introuvable',
    expired: 'Cette identification a expiré',
    unavailable: 'L’émetteur d’attestations est indisponible',
    valid: 'L’attestation est valide',
    pdfLead: 'Délivrée par',
    person: people[20],
  },
  {
    lang: 'ar',
    dir: 'rtl',
    heading: 'احصل على شهادة رقمية',
    cancelled: 'أُلغي تسجيل الدخول',
    denied: 'لم توافق على مشاركة بياناتك',
    locked: 'تسجيل الدخول مقفل حاليًا',
    notFound: 'الصفحة غير موجودة',
    expired: 'انتهت صلاحية تسجيل الدخول هذا',
    unavailable: 'مُصدر الشهادات غير متاح',
    valid: 'الشهادة صالحة',
    pdfLead: 'صادرة عن',
    person: people[10],
  },
] as const;

let browser: Browser | undefined;
const printTools = printToolsAvailable();
let system: TestSystem | undefined;
/** An issuer in `portal.issuers` that never answers. */
let deadIssuer = '';

beforeAll(async () => {
  browser = await launchChromium();
  if (!browser) return;
  deadIssuer = `http://localhost:${await freePort()}`;
  system = await startTestSystem({ portalIssuers: [deadIssuer] });
  // "Add to wallet" calls the issuer's admin API: an API key made the way `attesta issuer api-key` does,
  // handed to the running portal (it reads its configuration per request).
  const issuerDb = openDatabase<AdminTables>(system.config.issuer.database);
  try {
    system.config.portal.issuerApiKey = (await new ApiKeyStore(issuerDb.db).create('portal')).key;
  } finally {
    await issuerDb.close();
  }
  setGlobalConfig({ allowInsecureUrls: true }); // the wallet library on plain-http loopback
}, 120_000);
afterAll(async () => {
  setGlobalConfig({ allowInsecureUrls: false });
  await browser?.close();
  await system?.stop();
}, 60_000);

async function context(lang: string): Promise<BrowserContext> {
  if (!browser) throw new Error('no browser');
  // bypassCSP lets the test inject axe-core; the portal's CSP itself is exercised by issuance.test.ts.
  return browser.newContext({ bypassCSP: true, locale: lang, acceptDownloads: true });
}

function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return decodeQr(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

async function download(page: Page, testId: string): Promise<Buffer> {
  const [file] = await Promise.all([page.waitForEvent('download'), page.getByTestId(testId).click()]);
  return readFileSync((await file.path()) ?? '');
}

async function issuerJwks(): Promise<{ keys: [] }> {
  const metadata = (await (await fetch(`${system?.urls.issuer}/.well-known/jwt-vc-issuer`)).json()) as {
    jwks: { keys: [] };
  };
  return metadata.jwks;
}

/** A date as a reader of `lang` writes it in full (the card and PDF show dates so). */
function longDate(iso: string, lang: string): string {
  // British English, as the portal's English is.
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : lang, {
    dateStyle: 'long',
    timeZone: 'UTC',
  }).format(new Date(`${iso}T00:00:00Z`));
}

/** Chromium on two shared cores: a journey of a dozen pages takes its time. */
const JOURNEY_MS = 120_000;

describe.each(LANGUAGES)('portal journeys in $lang', (l) => {
  it(
    'catalogue, search, sign-in, card, downloads (raw, JSON, PDF), and the verify page',
    async (ctx) => {
      if (!browser || !system) return ctx.skip();
      const { urls } = system;
      const person = l.person;
      if (!person) throw new Error('no demo person');
      const c = await context(l.lang);
      const page = await c.newPage();
      const problems: string[] = [];
      page.on('pageerror', (error) => problems.push(error.message));

      await page.goto(`${urls.portal}/?lang=${l.lang}`);
      expect(await page.locator('html').getAttribute('lang')).toBe(l.lang);
      expect(await page.locator('html').getAttribute('dir')).toBe(l.dir);
      expect(await page.locator('h1').textContent()).toBe(l.heading);
      await checkpoint(page, `portal-${l.lang}-1-catalogue`);

      // The search form works without script: a GET the server filters.
      await page.locator('#q').fill('national');
      await page.locator('form.search button').click();
      await page.waitForURL((url) => url.searchParams.get('q') === 'national');
      const cards = page.getByTestId('credential-type');
      // One card for the national ID, which the issuer offers in three formats, and nothing else.
      const ids = await cards.evaluateAll((items) => items.map((i) => i.getAttribute('data-configurations')));
      expect(ids.map((list) => list?.split(' ').sort())).toEqual([
        ['national_id_jwt_vc', 'national_id_ldp_vc', 'national_id_sd_jwt'],
      ]);
      await checkpoint(page, `portal-${l.lang}-2-search`);

      await page.locator('[data-configuration-id="national_id_sd_jwt"] a.button').first().click();
      await page.waitForURL((url) => url.href.startsWith(urls.authz));
      await signIn(page, urls.portal, person);
      await page.waitForURL((url) => url.pathname.startsWith('/credentials/'));
      const claims = page.getByTestId('claims');
      expect(await claims.locator('[data-claim-value="given_name"]').textContent()).toBe(person.givenName);
      // Dates in the page language, with the date itself machine-readable.
      const birth = claims.locator('[data-claim-value="birthdate"] time');
      expect(await birth.getAttribute('datetime')).toBe(person.birthDate);
      expect(await birth.textContent()).toBe(longDate(person.birthDate, l.lang));
      expect(await page.getByTestId('disclosed').isVisible()).toBe(true);
      expect(await claims.locator('[data-disclosure="selectable"]').count()).toBeGreaterThan(3);
      await checkpoint(page, `portal-${l.lang}-3-card`);

      const jwks = await issuerJwks();
      const raw = (await download(page, 'download')).toString('utf8');
      const verified = await verifySdJwtVc(raw, { issuerJwks: jwks, expectedIssuer: urls.issuer });
      expect(verified.claims.given_name).toBe(person.givenName);

      const json = JSON.parse((await download(page, 'download-json')).toString('utf8')) as {
        credential: string;
        claims: Record<string, unknown>;
        labelled_claims: { path: string; label: string; value: unknown }[];
      };
      expect(json.credential).toBe(raw);
      expect(json.claims.family_name).toBe(person.familyName);
      expect(json.labelled_claims.find((c) => c.path === 'birthdate')?.value).toBe(person.birthDate);

      const pdf = await download(page, 'download-pdf');
      expect(await pdfPageSize(pdf)).toEqual([{ width: 595.28, height: 841.89 }]);
      const text = await pdfText(pdf);
      expect(text).toContain(l.pdfLead);
      // The date in the page language; an Arabic line is read back in visual order, so by its words.
      for (const word of longDate(person.birthDate, l.lang).split(' ')) expect(text).toContain(word);
      // A phone number keeps its left-to-right order inside Arabic text.
      expect(text).toContain(person.phone ?? '');
      expect(text).toContain(person.givenName ?? '');
      const [qr] = await pdfQrCodes(pdf);
      const fromQr = qr?.startsWith('http') ? await (await fetch(qr)).text() : pixelPassDecode(qr ?? '');
      expect(fromQr).toBe(raw);
      expect((await verifySdJwtVc(fromQr, { issuerJwks: jwks })).claims.given_name).toBe(person.givenName);

      // The verify page takes the PDF back.
      await page.locator('#nav-verify').click();
      await page.waitForURL(`${urls.portal}/verify`);
      await checkpoint(page, `portal-${l.lang}-4-verify-form`);
      await page
        .locator('#verify-file')
        .setInputFiles({ name: 'card.pdf', mimeType: 'application/pdf', buffer: pdf });
      await page.locator('#verify-submit').click();
      await page.waitForSelector('[data-testid="verdict"]');
      expect(await page.getByTestId('verdict').getAttribute('data-valid')).toBe('true');
      expect(await page.getByTestId('verdict').textContent()).toContain(l.valid);
      expect(await page.locator('[data-check="signature"]').getAttribute('data-outcome')).toBe('passed');
      await checkpoint(page, `portal-${l.lang}-5-verified`);
      expect(problems).toEqual([]);
      await c.close();
    },
    JOURNEY_MS,
  );

  it(
    'binds a credential to a key made in the browser, which the server never holds',
    async (ctx) => {
      if (!browser || !system) return ctx.skip();
      const { urls } = system;
      const person = l.person;
      if (!person) throw new Error('no demo person');
      const c = await context(l.lang);
      const page = await c.newPage();
      await page.goto(`${urls.portal}/?lang=${l.lang}`);
      // The binding page is held without its script first, to look at it (screenshot, axe).
      const script = `${urls.portal}/assets/bind.js`;
      await page.route(script, (route) => route.abort());
      await page.locator('[data-testid="bind-national_id_sd_jwt"]').click();
      await page.waitForURL((url) => url.href.startsWith(urls.authz));
      await signIn(page, urls.portal, person);
      await page.waitForURL((url) => url.pathname.startsWith('/bind/'));
      expect(await page.getByTestId('bind').getAttribute('data-audience')).toBe(urls.issuer);
      await checkpoint(page, `portal-${l.lang}-6-binding`);
      // With its script, the page signs the proof and posts it back; then the card.
      await page.unroute(script);
      await page.reload();
      await page.waitForURL((url) => url.pathname.startsWith('/credentials/'), { timeout: 20_000 });
      expect(await page.getByTestId('bound-to-browser').isVisible()).toBe(true);
      await checkpoint(page, `portal-${l.lang}-7-bound-card`);

      const key = await page.evaluate(
        () =>
          new Promise<{ extractable: boolean; jwk: JsonWebKey }>((resolve, reject) => {
            const open = indexedDB.open('attesta-holder', 1);
            open.onerror = () => reject(open.error);
            open.onsuccess = () => {
              const get = open.result.transaction('keys').objectStore('keys').get('holder-es256');
              get.onsuccess = async () => {
                const pair = get.result as CryptoKeyPair;
                resolve({
                  extractable: pair.privateKey.extractable,
                  jwk: await crypto.subtle.exportKey('jwk', pair.publicKey),
                });
              };
            };
          }),
      );
      expect(key.extractable).toBe(false);
      const raw = (await download(page, 'download')).toString('utf8');
      const cnf = decodeJwt(raw.split('~')[0] ?? '').cnf as { jwk: JsonWebKey };
      expect({ x: cnf.jwk.x, y: cnf.jwk.y }).toEqual({ x: key.jwk.x, y: key.jwk.y });

      // Hand-off to a mobile wallet: an offer QR with the transaction code shown beside it, redeemed
      // by an independent wallet library for a credential bound to the wallet's own key.
      await page.getByTestId('add-to-wallet').click();
      await page.waitForSelector('[data-testid="wallet-offer"]');
      await checkpoint(page, `portal-${l.lang}-11-wallet-offer`);
      const offerUri = (await page.getByTestId('wallet-offer').getAttribute('data-offer-uri')) ?? '';
      expect(offerUri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/);
      const txCode = (await page.getByTestId('tx-code').textContent()) ?? '';
      expect(txCode).toMatch(/^\d{6}$/);
      expect(offerUri).not.toContain(txCode);
      const qrSrc = (await page.getByTestId('offer-qr').getAttribute('src')) ?? '';
      const qrPng = Buffer.from(qrSrc.replace(/^data:image\/png;base64,/, ''), 'base64');
      expect(decodeQrPng(qrPng)).toBe(offerUri);
      const wallet = await redeemOffer(offerUri, txCode);
      expect(wallet.configurationId).toBe('national_id_sd_jwt');
      const [fromWallet] = wallet.credentials;
      const inWallet = await verifySdJwtVc(fromWallet ?? '', {
        issuerJwks: await issuerJwks(),
        expectedIssuer: urls.issuer,
      });
      expect(inWallet.claims.given_name).toBe(person.givenName);
      expect((inWallet.payload.cnf as { jwk: JsonWebKey }).jwk.x).toBe(wallet.holderJwk.x);
      expect(wallet.holderJwk.x).not.toBe(key.jwk.x);
      // The offer is used up.
      await expect(redeemOffer(offerUri, txCode)).rejects.toThrow();
      await c.close();
    },
    JOURNEY_MS,
  );

  it(
    'explains a cancelled sign-in, an expired session and an unavailable issuer, each with a way back',
    async (ctx) => {
      if (!browser || !system) return ctx.skip();
      const { urls } = system;
      const c = await context(l.lang);
      const page = await c.newPage();
      await page.goto(`${urls.portal}/?lang=${l.lang}`);
      // The catalogue names the issuer that is down.
      expect(await page.getByTestId('issuer-unavailable').count()).toBe(1);

      await page.locator('[data-configuration-id="national_id_sd_jwt"] a.button').first().click();
      await page.waitForURL((url) => url.href.startsWith(urls.authz));
      await page.locator('form[action$="/abort"] button').click();
      await page.waitForURL((url) => url.href.startsWith(`${urls.portal}/callback`));
      expect(await page.getByTestId('message').getAttribute('data-message')).toBe('cancelled');
      expect(await page.locator('h1').textContent()).toBe(l.cancelled);
      await checkpoint(page, `portal-${l.lang}-8-cancelled`);

      // Replaying the callback: the flow was used, so the session no longer matches it.
      await page.reload();
      expect(await page.getByTestId('message').getAttribute('data-message')).toBe('expired');
      expect(await page.locator('h1').textContent()).toBe(l.expired);
      await checkpoint(page, `portal-${l.lang}-9-expired`);

      await page.goto(`${urls.portal}/start/national_id_sd_jwt?issuer=${issuerKey(deadIssuer)}`);
      expect(await page.locator('h1').textContent()).toBe(l.unavailable);
      expect(await page.getByTestId('error-code').textContent()).toBe('unreachable');
      await checkpoint(page, `portal-${l.lang}-10-issuer-unavailable`);
      await page.getByTestId('back-home').click();
      await page.waitForURL(`${urls.portal}/`);
      expect(await page.locator('h1').textContent()).toBe(l.heading);

      // An address that does not exist: a page in the person's language, not JSON.
      const missing = await page.goto(`${urls.portal}/no/such/page`);
      expect(missing?.status()).toBe(404);
      expect(await page.locator('h1').textContent()).toBe(l.notFound);
      await checkpoint(page, `portal-${l.lang}-12-not-found`);

      // Refusing consent (the portal client is asked for it here) is not a cancel.
      const login = system.config.authz.login;
      const implicit = login.implicitConsentClients;
      login.implicitConsentClients = [];
      try {
        await page.goto(`${urls.portal}/?lang=${l.lang}`);
        await page.getByTestId('start-national_id_sd_jwt').click();
        await page.waitForURL((url) => url.href.startsWith(urls.authz));
        const person = l.person;
        await page.locator('input[name="individual_id"]').fill(person?.individualId ?? '');
        await page.locator('input[name="full_name"]').fill(person?.fullName ?? '');
        await page.locator('input[name="date_of_birth"]').fill(person?.birthDate ?? '');
        await page.locator('form:has(input[name="individual_id"]) button[type="submit"]').click();
        await page.locator('form:has(input[name="decision"][value="deny"]) button').click();
        await page.waitForURL((url) => url.href.startsWith(`${urls.portal}/callback`));
        expect(await page.getByTestId('message').getAttribute('data-message')).toBe('denied');
        expect(await page.locator('h1').textContent()).toBe(l.denied);
        await checkpoint(page, `portal-${l.lang}-13-denied`);
      } finally {
        login.implicitConsentClients = implicit;
      }

      // Three wrong answers lock the ID (lockout lowered to three here): the page says until when
      // and never which detail was wrong; authz's own page said the same before.
      const lockout = login.lockout;
      login.lockout = { ...lockout, failures: 3 };
      try {
        await page.getByTestId('back-home').click();
        await page.getByTestId('start-national_id_sd_jwt').click();
        await page.waitForURL((url) => url.href.startsWith(urls.authz));
        const stranger = `9${String(Date.now()).slice(-8)}${LANGUAGES.indexOf(l)}`;
        for (let attempt = 0; attempt < 3; attempt++) {
          await page.locator('input[name="individual_id"]').fill(stranger);
          await page.locator('input[name="full_name"]').fill('Nobody Known');
          await page.locator('input[name="date_of_birth"]').fill('1980-01-01');
          await page.locator('form:has(input[name="individual_id"]) button[type="submit"]').click();
          await page.waitForLoadState();
        }
        await page.waitForURL((url) => url.href.startsWith(`${urls.portal}/callback`));
        expect(await page.getByTestId('message').getAttribute('data-message')).toBe('locked');
        expect(await page.locator('h1').textContent()).toBe(l.locked);
        expect(await page.getByTestId('lock-note').textContent()).toMatch(/\d{2}:\d{2}/);
        await checkpoint(page, `portal-${l.lang}-14-locked`);
        // authz, asked again for the same ID, says the same: locked, until when.
        await page.getByTestId('back-home').click();
        await page.getByTestId('start-national_id_sd_jwt').click();
        await page.waitForURL((url) => url.href.startsWith(urls.authz));
        await page.locator('input[name="individual_id"]').fill(stranger);
        await page.locator('input[name="full_name"]').fill('Nobody Known');
        await page.locator('input[name="date_of_birth"]').fill('1980-01-01');
        await page.locator('form:has(input[name="individual_id"]) button[type="submit"]').click();
        await page.waitForSelector('#form-error');
        expect(await page.locator('#form-error').textContent()).toMatch(/\d{2}:\d{2}/);
        await checkpoint(page, `authz-${l.lang}-15-locked`);
      } finally {
        login.lockout = lockout;
      }
      await c.close();
    },
    JOURNEY_MS,
  );
});

/** The demo person whose record is largest: the largest credential of each format is theirs. */
const largest = <T>(list: T[]): T | undefined =>
  [...list].sort((a, b) => JSON.stringify(b).length - JSON.stringify(a).length)[0];
const licensed = new Set(
  readFileSync('config/demo/driving-licences.csv', 'utf8')
    .split('\n')
    .slice(1)
    .map((line) => line.split(',')[0]),
);

describe('every format our issuer makes, through the portal', () => {
  it.each([
    { id: 'national_id_sd_jwt', claim: 'given_name' },
    { id: 'national_id_jwt_vc', claim: 'givenName' },
    { id: 'national_id_ldp_vc', claim: 'givenName' },
    { id: 'driving_licence_mdoc', claim: 'given_name' },
  ])(
    '$id: card, PDF whose QR verifies on the verify page',
    async ({ id, claim }) => {
      if (!browser || !system) return;
      const { urls } = system;
      const person =
        id === 'driving_licence_mdoc'
          ? largest(people.filter((p) => licensed.has(p.individualId)))
          : largest(people);
      if (!person) throw new Error('no demo person');
      const c = await context('en');
      const page = await c.newPage();
      await page.goto(`${urls.portal}/?lang=en`);
      // Formats other than the journey's are one disclosure away ("Other formats").
      const link = page.getByTestId(`start-${id}`);
      if (!(await link.isVisible())) {
        await page.locator('details.other-formats', { has: link }).locator('summary').click();
      }
      await link.click();
      await page.waitForURL((url) => url.href.startsWith(urls.authz));
      await signIn(page, urls.portal, person);
      await page.waitForURL((url) => url.pathname.startsWith('/credentials/'));
      const value = page.getByTestId('claims').locator(`[data-claim-value="${claim}"]`);
      expect(await value.textContent()).toBe(person.givenName);
      // The mdoc carries a portrait: the card shows it as a picture.
      if (id === 'driving_licence_mdoc') expect(await page.getByTestId('photo').count()).toBe(1);
      await checkpoint(page, `portal-en-format-${id}`);
      const pdf = await download(page, 'download-pdf');
      const raw = (await download(page, 'download')).toString('utf8');
      const [qr = ''] = await pdfQrCodes(pdf);
      // A credential too large for a QR code (an mdoc with its portrait) travels as a one-time link,
      // which the verify page below uses up; a small one is in the code itself.
      const linked = qr.startsWith(`${urls.portal}/r/`);
      // Printed at 150 dpi, the code's modules are at least 0.4 mm and an independent decoder
      // (zbarimg) reads exactly what is in it.
      if (printTools) {
        const printed = readPrintedQr(pdf);
        expect(printed.texts).toEqual([qr]);
        expect(printed.moduleMm).toBeGreaterThanOrEqual(0.4);
        process.stdout.write(
          `printed QR of ${id}: module ${printed.moduleMm?.toFixed(2)} mm, ${qr.length} characters\n`,
        );
      }
      if (!linked) {
        const fromQr = pixelPassDecode(qr);
        if (raw.startsWith('{')) expect(JSON.parse(fromQr)).toEqual(JSON.parse(raw));
        else expect(fromQr).toBe(raw);
      }
      await page.goto(`${urls.portal}/verify`);
      const file = { name: 'card.pdf', mimeType: 'application/pdf', buffer: pdf };
      await page.locator('#verify-file').setInputFiles(file);
      await page.locator('#verify-submit').click();
      await page.waitForSelector('[data-testid="verdict"]');
      expect(await page.locator('[data-reason]').allTextContents()).toEqual([]);
      expect(await page.getByTestId('verdict').getAttribute('data-valid')).toBe('true');
      if (linked) expect((await fetch(qr)).status).toBe(404);
      await c.close();
    },
    JOURNEY_MS,
  );
});

describe('with the keyboard alone', () => {
  it(
    'tabs from the landing page through sign-in to the card and its PDF, focus always visible',
    async (ctx) => {
      if (!browser || !system) return ctx.skip();
      const { urls } = system;
      const person = people[2];
      if (!person) throw new Error('no demo person');
      const c = await context('en');
      const page = await c.newPage();
      await page.goto(`${urls.portal}/?lang=en`);
      /** Presses Tab until the focused element matches, at most `limit` times; fails otherwise. */
      const tabTo = async (selector: string, limit = 40) => {
        for (let i = 0; i < limit; i++) {
          await page.keyboard.press('Tab');
          const there = await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
          if (!there) continue;
          // The focus is visible: an outline (or the element's own focus style) is drawn.
          const outline = await page.evaluate(() => {
            const style = getComputedStyle(document.activeElement as Element);
            return style.outlineStyle !== 'none' && Number.parseFloat(style.outlineWidth) > 0;
          });
          expect(outline, `focus not visible on ${selector}`).toBe(true);
          return i + 1;
        }
        throw new Error(`${selector} not reached with Tab`);
      };
      // The skip link comes first and leads to the content.
      expect(await tabTo('.skip-link', 1)).toBe(1);
      await tabTo('[data-testid="start-national_id_sd_jwt"]');
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.href.startsWith(urls.authz));
      // authz: the fields in order, typed, and the form sent with Enter.
      await tabTo('input[name="individual_id"]');
      await page.keyboard.type(person.individualId);
      await page.keyboard.press('Tab');
      await page.keyboard.type(person.fullName);
      await page.keyboard.press('Tab');
      // A date field in an English (US) browser takes month, day, year.
      const [year = '', month = '', day = ''] = person.birthDate.split('-');
      await page.keyboard.type(`${month}${day}${year}`);
      expect(await page.locator('input[name="date_of_birth"]').inputValue()).toBe(person.birthDate);
      await page.keyboard.press('Enter');
      await page.waitForURL((url) => url.pathname.startsWith('/credentials/'));
      expect(await page.getByTestId('claims').locator('[data-claim-value="given_name"]').textContent()).toBe(
        person.givenName,
      );
      // The PDF is one Tab stop away among the downloads.
      await tabTo('[data-testid="download-pdf"]');
      const [file] = await Promise.all([page.waitForEvent('download'), page.keyboard.press('Enter')]);
      expect(file.suggestedFilename()).toMatch(/\.pdf$/);
      // The other formats open from the keyboard too.
      await page.goto(`${urls.portal}/?lang=en`);
      await tabTo('[data-configuration-id="national_id_sd_jwt"] details summary');
      await page.keyboard.press('Enter');
      await tabTo('[data-testid="start-national_id_jwt_vc"]', 3);
      await c.close();
    },
    JOURNEY_MS,
  );
});

describe('checked by Lighthouse', () => {
  /** Lighthouse's accessibility and performance categories for one URL, in a Chromium of its own. */
  async function audit(
    url: string,
    extraHeaders: Record<string, string> = {},
  ): Promise<Record<string, number | null>> {
    let failure = '';
    // Lighthouse asks to be run again when its trace missed the navigation (NO_NAVSTART, NO_FCP), which
    // happens on a busy machine: up to three runs, any other error at once.
    for (let run = 0; run < 3; run++) {
      const port = await freePort();
      const own = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox', '--disable-gpu', `--remote-debugging-port=${port}`],
      });
      try {
        const result = await lighthouse(url, {
          port,
          output: 'json',
          logLevel: 'error',
          onlyCategories: ['performance', 'accessibility'],
          extraHeaders,
        });
        const error = result?.lhr.runtimeError;
        if (result && !error) {
          // The page Lighthouse scored is the one asked for, not an error page in its place.
          const requests = result.lhr.audits['network-requests']?.details as
            | { items?: { url?: string; statusCode?: number }[] }
            | undefined;
          const document = requests?.items?.find((item) => item.url === url);
          expect(document?.statusCode, `${url} as Lighthouse loaded it`).toBe(200);
          return Object.fromEntries(
            Object.entries(result.lhr.categories).map(([name, c]) => [name, c.score]),
          );
        }
        failure = `${error?.code}: ${error?.message}`;
        if (!/^(NO_NAVSTART|NO_FCP|NO_TRACING_STARTED)/.test(error?.code ?? '')) break;
      } finally {
        await own.close();
      }
    }
    throw new Error(`lighthouse failed: ${failure}`);
  }

  /**
   * A card obtained in a browser session of its own: its address and that session's cookie, which
   * Lighthouse's tab sends (the card is shown only to the session that obtained it).
   */
  async function obtainedCard(): Promise<{ url: string; cookie: string }> {
    if (!system) throw new Error('no system');
    const c = await context('en');
    try {
      const page = await c.newPage();
      const { urls } = system;
      await page.goto(`${urls.portal}/?lang=en`);
      await page.locator('[data-configuration-id="national_id_sd_jwt"] a.button').first().click();
      await page.waitForURL((url) => url.href.startsWith(urls.authz));
      const person = people[0];
      if (!person) throw new Error('no demo person');
      await signIn(page, urls.portal, person);
      await page.waitForURL((url) => url.pathname.startsWith('/credentials/'));
      const cookies = await c.cookies(urls.portal);
      return { url: page.url(), cookie: cookies.map((k) => `${k.name}=${k.value}`).join('; ') };
    } finally {
      await c.close();
    }
  }

  it('scores the landing page, the card and the verify page (mobile, simulated throttling)', async (ctx) => {
    if (!browser || !system) return ctx.skip();
    const { urls } = system;
    const card = await obtainedCard();
    const scores = {
      landing: await audit(`${urls.portal}/?lang=en`),
      card: await audit(card.url, { Cookie: card.cookie }),
      verify: await audit(`${urls.portal}/verify?lang=ar`),
    };
    process.stdout.write(`lighthouse scores (0–1, shared 2-core machine): ${JSON.stringify(scores)}\n`);
    for (const page of Object.values(scores)) {
      // Accessibility is a checklist, the same on any machine; performance is printed, not judged here.
      expect(page.accessibility).toBeGreaterThanOrEqual(0.95);
      expect(typeof page.performance).toBe('number');
    }
  }, 240_000);
});
