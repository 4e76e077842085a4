import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AMARA } from '../authz/helpers.js';
import { launchChromium } from '../helpers/browser.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';
import { routesOf } from './admin-system.js';

/**
 * Issue 15: the forms of authz and the portal accepted posts from any site (only SameSite=Lax
 * cookies stood in the way). Here an attacker's page on another site (127.0.0.1 is another site
 * than localhost) auto-submits forms into a person's live sign-in and into the portal, in a real
 * browser; the same forms sent from our own pages still work.
 */
let system: TestSystem;
let browser: Browser | undefined;
let attacker: Server;
let attackerUrl: string;
/** The form the attacker's page posts, set per test. */
let forged = {
  action: '',
  fields: {} as Record<string, string>,
  enctype: 'application/x-www-form-urlencoded',
};

const htmlAttr = (value: string) => value.replace(/[&"<>]/g, (c) => `&#${c.charCodeAt(0)};`);

beforeAll(async () => {
  system = await startTestSystem();
  browser = await launchChromium();
  attacker = createServer((_request, response) => {
    const inputs = Object.entries(forged.fields)
      .map(([name, value]) => `<input type="hidden" name="${htmlAttr(name)}" value="${htmlAttr(value)}">`)
      .join('');
    response
      .writeHead(200, { 'content-type': 'text/html' })
      .end(
        `<!doctype html><title>win a prize</title><form id="f" method="post" enctype="${forged.enctype}" action="${htmlAttr(forged.action)}">${inputs}</form><script>document.getElementById('f').submit()</script>`,
      );
  });
  await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
  attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await browser?.close();
  attacker?.closeAllConnections();
  await new Promise((resolve) => attacker?.close(resolve));
  await system?.stop();
});

/** Visits the attacker's page, which posts `form`; returns the page the browser lands on. */
async function attackerPosts(context: BrowserContext, form: typeof forged): Promise<Page> {
  forged = form;
  const page = await context.newPage();
  const landed = page.waitForURL((url) => url.href.startsWith(form.action), { timeout: 10_000 });
  await page.goto(attackerUrl);
  await landed;
  await page.waitForLoadState();
  return page;
}

/** A person's sign-in in progress: the portal sent the browser to authz's login page. */
async function liveSignIn(context: BrowserContext): Promise<{ page: Page; uid: string }> {
  const page = await context.newPage();
  await page.goto(`${system.config.portal.publicUrl}/start/national_id_sd_jwt`);
  await page.waitForURL(/\/interaction\/[^/]+$/);
  const uid = new URL(page.url()).pathname.split('/').pop() as string;
  return { page, uid };
}

describe('cross-site form posts', () => {
  it('authz: an attacker’s page posting the sign-in form into a live sign-in gets a refusal page; the person’s own post then works', async (ctx) => {
    if (!browser) return ctx.skip();
    const context = await browser.newContext({ locale: 'en' });
    const { page, uid } = await liveSignIn(context);
    const authz = system.config.authz.publicUrl;
    const refused = await attackerPosts(context, {
      action: `${authz}/interaction/${uid}/login`,
      fields: { ...AMARA },
      enctype: 'application/x-www-form-urlencoded',
    });
    expect(await refused.locator('h1').textContent()).toBe('Form sent from another site');
    expect(await refused.content()).not.toContain('Amara');
    // The forged post changed nothing: the person signs in on authz's own page (same origin).
    await page.fill('[name=individual_id]', AMARA.individual_id);
    await page.fill('[name=full_name]', AMARA.full_name);
    await page.fill('[name=date_of_birth]', AMARA.date_of_birth);
    await Promise.all([
      page.waitForURL((url) => url.href.startsWith(system.config.portal.publicUrl)),
      page.click('button[type=submit]'),
    ]);
    expect(await page.locator('h1').first().textContent()).not.toBe('Form sent from another site');
    await context.close();
  });

  it('authz: consent and cancel forms, and oidc-provider’s logout confirmation, refuse another site', async (ctx) => {
    if (!browser) return ctx.skip();
    const context = await browser.newContext({ locale: 'fr' });
    const { uid } = await liveSignIn(context);
    const authz = system.config.authz.publicUrl;
    for (const action of [
      `${authz}/interaction/${uid}/consent`,
      `${authz}/interaction/${uid}/abort`,
      `${authz}/session/end/confirm`,
    ]) {
      const refused = await attackerPosts(context, {
        ...forged,
        action,
        fields: { decision: 'allow', logout: 'yes' },
      });
      // The page speaks the person's language (Accept-Language of the browser).
      expect(await refused.locator('h1').textContent()).toBe('Formulaire envoyé depuis un autre site');
    }
    await context.close();
  });

  it('portal: every form (verify upload, bind, wallet …) refuses another site; the same upload from the portal’s page works', async (ctx) => {
    if (!browser) return ctx.skip();
    const context = await browser.newContext({ locale: 'en' });
    const portal = system.config.portal.publicUrl;
    // Every state-changing route of the portal, read from the running service.
    const app = system.services.find((s) => s.name === 'portal')?.app as FastifyInstance;
    const posts = routesOf(app).filter((route) => !/^(GET|HEAD|OPTIONS) /.test(route));
    expect(posts).toEqual(
      expect.arrayContaining(['POST /verify', 'POST /bind/:id', 'POST /credentials/:id/wallet']),
    );
    for (const route of posts) {
      const action = `${portal}${(route.split(' ')[1] as string).replace(/:[a-zA-Z]+/g, 'abcdefgh')}`;
      for (const enctype of ['multipart/form-data', 'application/x-www-form-urlencoded']) {
        const refused = await attackerPosts(context, {
          action,
          enctype,
          fields: { text: 'not a credential', proof: 'x' },
        });
        expect(await refused.locator('[data-testid=message]').getAttribute('data-message')).toBe('crossSite');
      }
    }
    const page = await context.newPage();
    await page.goto(`${portal}/verify`);
    await page.fill('textarea[name=text]', 'not a credential');
    await Promise.all([
      page.waitForLoadState(),
      page.locator('form[action="/verify"] button[type=submit]').first().click(),
    ]);
    await page.waitForURL(`${portal}/verify`);
    // Our own page's post reaches the verifier (which finds nothing to verify), not the refusal.
    expect(await page.locator('[data-message=crossSite]').count()).toBe(0);
    await context.close();
  });
});

describe('cross-site form posts without a browser (headers as browsers send them)', () => {
  const post = (url: string, headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: 'decision=allow',
      redirect: 'manual',
    });

  it('refuses Sec-Fetch-Site cross-site and same-site from another origin, a foreign or null Origin; accepts same-origin and non-browser posts', async () => {
    const authz = system.config.authz.publicUrl;
    const target = `${authz}/interaction/unknown-uid/consent`;
    const evil = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    expect((await post(target, evil)).status).toBe(403);
    // The portal is same-site with authz here (localhost), but not authz's own page.
    const portalPage = { origin: system.config.portal.publicUrl, 'sec-fetch-site': 'same-site' };
    expect((await post(target, portalPage)).status).toBe(403);
    expect((await post(target, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await post(target, { origin: 'null' })).status).toBe(403);
    const refused = await post(target, evil);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await refused.text()).toContain('Form sent from another site');
    // Ours: the interaction is unknown, so the sign-in's own "expired" page (400), not the refusal.
    const own = await post(target, { origin: authz, 'sec-fetch-site': 'same-origin' });
    expect(own.status).toBe(400);
    expect((await post(target, {})).status).toBe(400);
    // The authorization endpoint and RP-initiated logout stay open to clients' pages (OIDC allows POST).
    expect((await post(`${authz}/session/end`, evil)).status).not.toBe(403);
  });
});
