import { Readable } from 'node:stream';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ACR } from '../../src/authz/factors/acr.js';
import { clock } from '../../src/authz/factors/clock.js';
import { hashPassword, verifyPassword } from '../../src/authz/factors/password.js';
import { passwordHashCommand } from '../../src/cli/password-hash.js';
import { SqlIdentityRegistry } from '../../src/platform/registry/index.js';
import { AMARA, authorize, authzForFile, Browser } from './helpers.js';

/** A person of the registry with a password and only a phone number (Amara has an e-mail). */
const PAT = {
  individualId: '7700000001',
  fullName: 'Pat Password',
  birthDate: '1990-02-02',
  phone: '+4915112345678',
};
const PAT_PASSWORD = 'correct horse battery staple';

const authz = authzForFile(async (test) => {
  const portal = test.config.authz.clients[0];
  if (portal) portal.acr_values = [ACR.kbi, ACR.otp, ACR.password];
  test.config.authz.login.lockout.failures = 1000;
  const registry = await SqlIdentityRegistry.open(test.config.registry.database);
  await registry.seed([{ ...PAT, passwordHash: await hashPassword(PAT_PASSWORD) }]);
  await registry.close();
});

afterEach(() => {
  clock.now = () => Date.now();
});

const origin = () => authz.config.authz.publicUrl;
const redirectUri = () => authz.config.authz.clients[0]?.redirect_uris[0] ?? '';

async function redeem(run: { url: URL; codeVerifier: string; state: string }) {
  expect(run.url.href.startsWith(redirectUri())).toBe(true);
  expect(run.url.searchParams.get('error')).toBeNull();
  const tokens = await client.authorizationCodeGrant(
    authz.rp,
    run.url,
    { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
    { resource: authz.config.authz.resources[0]?.identifier ?? '' },
  );
  return tokens.claims();
}

/** Starts a sign-in with the given ACR request and stops at the first page. */
async function start(acrValues: string, extra: Record<string, string> = {}) {
  const browser = new Browser();
  const codeVerifier = client.randomPKCECodeVerifier();
  const state = client.randomState();
  const url = client.buildAuthorizationUrl(authz.rp, {
    redirect_uri: redirectUri(),
    scope: 'openid national_id',
    code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    state,
    acr_values: acrValues,
    resource: authz.config.authz.resources[0]?.identifier ?? '',
    ...extra,
  });
  const page = await browser.follow(url, origin());
  expect(page.response.status).toBe(200);
  const path = page.url.pathname;
  return { browser, page, path, codeVerifier, state, html: await page.response.text() };
}

const outbox = async () => (await fetch(`${origin()}/dev/outbox`)).text();
const messageCount = async () => (await outbox()).split('<li>').length - 1;

/**
 * The code of the newest outbox message, once there are more than `before` messages (codes are
 * sent without waiting, so the message may land just after the page answered).
 */
async function lastCode(before: number): Promise<{ code: string; html: string }> {
  for (let i = 0; i < 100; i++) {
    const html = await outbox();
    const code = /sign-in code is ([0-9]{6})/.exec(html)?.[1];
    if (code && html.split('<li>').length - 1 > before) return { code, html };
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('no new code in the outbox');
}

describe('factor selection by ACR', () => {
  it('advertises the three factors and the configured KBI realm in discovery', async () => {
    const metadata = await (await fetch(`${origin()}/.well-known/openid-configuration`)).json();
    expect(metadata.acr_values_supported).toEqual([
      ACR.kbi,
      ACR.otp,
      ACR.password,
      'urn:attesta:acr:kbi-insurance',
    ]);
  });

  it('shows the form of the requested ACR, and the client default for an unknown one', async () => {
    expect((await start(ACR.password)).html).toContain('type="password"');
    expect((await start(ACR.otp)).html).not.toContain('name="full_name"');
    const fallback = await start('urn:example:unknown');
    expect(fallback.html).toContain('name="full_name"');
  });

  it('fills the ID field from login_hint', async () => {
    const { html } = await start(ACR.otp, { login_hint: '5102030400' });
    expect(html).toMatch(/<input id="individual_id" name="individual_id"[^>]* value="5102030400"/);
    const escaped = await start(ACR.kbi, { login_hint: '"><b>x' });
    expect(escaped.html).toContain('value="&quot;&gt;&lt;b&gt;x"');
  });

  it('asks even a first-party (implicit consent) client for consent on prompt=consent', async () => {
    expect(authz.config.authz.login.implicitConsentClients).toContain(
      authz.config.authz.clients[0]?.client_id,
    );
    const implicit = await authorize(authz.config, authz.rp, AMARA, { acr_values: ACR.kbi });
    expect(implicit.url.searchParams.get('code')).toBeTruthy();
    const { browser, path } = await start(ACR.kbi, { prompt: 'consent' });
    const page = await browser.submit(new URL(`${path}/login`, origin()), origin(), AMARA);
    expect(page.url.pathname).toMatch(/^\/interaction\//);
    expect(await page.response.text()).toContain('Share your information');
  });

  it('never gives a client a factor it is not registered for', async () => {
    const portal = authz.config.authz.clients[0];
    const { chooseAcr } = await import('../../src/authz/factors/acr.js');
    expect(chooseAcr({ acrValues: ACR.password, allowed: [ACR.kbi], defaultAcr: ACR.otp })).toBe(ACR.kbi);
    expect(
      chooseAcr({ acrValues: `x ${ACR.otp}`, allowed: portal?.acr_values ?? [], defaultAcr: ACR.kbi }),
    ).toBe(ACR.otp);
    const claims = JSON.stringify({ id_token: { acr: { essential: true, values: [ACR.password] } } });
    expect(
      chooseAcr({ claims, acrValues: ACR.otp, allowed: [ACR.otp, ACR.password], defaultAcr: ACR.kbi }),
    ).toBe(ACR.password);
    expect(chooseAcr({ allowed: [], defaultAcr: ACR.kbi })).toBe(ACR.kbi);
  });
});

describe('knowledge-based identification', () => {
  it('signs in; the ID token says acr kbi and amr kba', async () => {
    const run = await authorize(authz.config, authz.rp, AMARA, { acr_values: ACR.kbi });
    const claims = await redeem(run);
    expect(claims).toMatchObject({ sub: AMARA.individual_id, acr: ACR.kbi, amr: ['kba'] });
    expect(typeof claims?.auth_time).toBe('number');
  });
});

describe('password', () => {
  it('signs in with the scrypt-hashed password of the registry; acr password, amr pwd', async () => {
    const run = await authorize(
      authz.config,
      authz.rp,
      { individual_id: PAT.individualId, password: PAT_PASSWORD },
      { acr_values: ACR.password },
    );
    expect(await redeem(run)).toMatchObject({ sub: PAT.individualId, acr: ACR.password, amr: ['pwd'] });
  });

  it('gives a wrong password, an unknown ID and an ID without a password the same answer', async () => {
    const bodies: string[] = [];
    for (const answers of [
      { individual_id: PAT.individualId, password: 'wrong' },
      { individual_id: '0000000000', password: PAT_PASSWORD },
      { individual_id: AMARA.individual_id, password: PAT_PASSWORD },
    ]) {
      const { browser, path } = await start(ACR.password);
      const { response, url } = await browser.submit(new URL(`${path}/login`, origin()), origin(), answers);
      expect(url.pathname).toBe(`${path}/login`);
      expect(response.status).toBe(200);
      bodies.push((await response.text()).replaceAll(path, 'PATH').replace(/value="[0-9]+"/, ''));
    }
    expect(bodies[0]).toContain(
      'role="alert" id="form-error">The individual ID or the password is not correct.</p>',
    );
    expect(bodies[0]).toContain('<p class="hint" id="form-note">2 attempts left.</p>');
    expect(bodies[1]).toBe(bodies[0]);
    expect(bodies[2]).toBe(bodies[0]);
    expect(bodies[0]).not.toContain(PAT_PASSWORD);
  });

  it('prints a verifiable hash with `attesta password-hash` (password on stdin)', async () => {
    const lines: string[] = [];
    const code = await passwordHashCommand(
      [],
      (l) => lines.push(l),
      Readable.from([Buffer.from('s3cret\n')]),
    );
    expect(code).toBe(0);
    expect(await verifyPassword('s3cret', lines[0])).toBe(true);
    expect(await passwordHashCommand(['s3cret'], () => {}, Readable.from([]))).toBe(2);
  });

  it('hashes with scrypt in the stored format and verifies in constant time', async () => {
    const hash = await hashPassword('pw');
    expect(hash).toMatch(/^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
    expect(await verifyPassword('pw', hash)).toBe(true);
    expect(await verifyPassword('pW', hash)).toBe(false);
    expect(await verifyPassword('pw', undefined)).toBe(false);
    expect(await verifyPassword('pw', 'scrypt$99999999$8$1$x$y')).toBe(false);
    expect(await verifyPassword('pw', hash.replace('$8$', '$9$'))).toBe(false);
  });
});

describe('one-time code', () => {
  it('sends a 6-digit code to the masked e-mail and signs in with it; acr otp, amr otp', async () => {
    const before = await messageCount();
    const { browser, path, codeVerifier, state } = await start(ACR.otp);
    const sent = await browser.submit(new URL(`${path}/login`, origin()), origin(), {
      individual_id: AMARA.individual_id,
    });
    expect(sent.url.pathname).toBe(path);
    const page = await sent.response.text();
    expect(page).toContain('a••••••••••r@e•••••e.org');
    expect(page).not.toContain('amara.okafor@example.org');
    expect(page).toMatch(/<label for="otp">One-time code<\/label>/);
    const { code, html } = await lastCode(before);
    expect(html).toContain('amara.okafor@example.org');
    const done = await browser.submit(new URL(`${path}/otp`, origin()), origin(), { otp: code });
    expect(await redeem({ url: done.url, codeVerifier, state })).toMatchObject({
      sub: AMARA.individual_id,
      acr: ACR.otp,
      amr: ['otp'],
    });
  });

  it('texts a person with only a phone (masked to the last four digits; amr otp + sms)', async () => {
    const before = await messageCount();
    const { browser, path, codeVerifier, state } = await start(ACR.otp);
    const sent = await browser.submit(new URL(`${path}/login`, origin()), origin(), {
      individual_id: PAT.individualId,
    });
    expect(await sent.response.text()).toContain('+•••••••••5678');
    const { code } = await lastCode(before);
    const done = await browser.submit(new URL(`${path}/otp`, origin()), origin(), { otp: code });
    expect(await redeem({ url: done.url, codeVerifier, state })).toMatchObject({
      acr: ACR.otp,
      amr: ['otp', 'sms'],
    });
  });

  it('shows an unknown ID a decoy destination (stable per ID) and never accepts a code for it', async () => {
    const first = await start(ACR.otp);
    const a = await first.browser.submit(new URL(`${first.path}/login`, origin()), origin(), {
      individual_id: '4040404040',
    });
    const masked = /sent a 6-digit code to <bdi class="ltr">([^<]+)<\/bdi>/.exec(
      await a.response.text(),
    )?.[1];
    expect(masked).toMatch(/^[a-z]•+[a-z]@[a-z]•+[a-z]\.(org|com|net)$/);
    const second = await start(ACR.otp);
    const b = await second.browser.submit(new URL(`${second.path}/login`, origin()), origin(), {
      individual_id: '4040404040',
    });
    expect(await b.response.text()).toContain(masked);
    const wrong = await second.browser.submit(new URL(`${second.path}/otp`, origin()), origin(), {
      otp: '123456',
    });
    const wrongHtml = await wrong.response.text();
    expect(wrongHtml).toContain('This code is not correct.</p>');
    expect(wrongHtml).toContain('2 attempts left.');
  });

  it('expires a code after 3 minutes (clock injected) and lets a new one be sent after the cooldown', async () => {
    const before = await messageCount();
    const { browser, path, codeVerifier, state } = await start(ACR.otp);
    await browser.submit(new URL(`${path}/login`, origin()), origin(), {
      individual_id: AMARA.individual_id,
    });
    const { code } = await lastCode(before);
    const early = await browser.submit(new URL(`${path}/otp/resend`, origin()), origin(), {});
    expect(early.response.status).toBe(429);
    expect(await early.response.text()).toMatch(/ask for a new code in (29|30) seconds/);
    const sentAt = Date.now();
    clock.now = () => sentAt + 181_000;
    const late = await browser.submit(new URL(`${path}/otp`, origin()), origin(), { otp: code });
    expect(await late.response.text()).toContain('This code has expired. Ask for a new one.');
    const resent = await browser.submit(new URL(`${path}/otp/resend`, origin()), origin(), {});
    expect(resent.url.pathname).toBe(path);
    const next = await lastCode(before + 1);
    const done = await browser.submit(new URL(`${path}/otp`, origin()), origin(), { otp: next.code });
    expect(done.url.href.startsWith(redirectUri())).toBe(true);
    expect(await redeem({ url: done.url, codeVerifier, state })).toMatchObject({ acr: ACR.otp });
  });

  it('sends at most three codes per sign-in', async () => {
    const { browser, path } = await start(ACR.otp);
    await browser.submit(new URL(`${path}/login`, origin()), origin(), {
      individual_id: AMARA.individual_id,
    });
    let now = Date.now();
    for (let send = 2; send <= 3; send++) {
      now += 31_000;
      const at = now;
      clock.now = () => at;
      const resent = await browser.submit(new URL(`${path}/otp/resend`, origin()), origin(), {});
      expect(resent.url.pathname).toBe(path);
    }
    clock.now = () => now + 31_000;
    const refused = await browser.submit(new URL(`${path}/otp/resend`, origin()), origin(), {});
    expect(refused.response.status).toBe(429);
    const html = await refused.response.text();
    expect(html).toContain('No more codes can be sent for this sign-in.');
    expect(html).not.toContain('/otp/resend');
  });

  it('accepts a code once: a second sign-in request cannot reuse it, and three wrong codes end the request', async () => {
    const before = await messageCount();
    const { browser, path } = await start(ACR.otp);
    await browser.submit(new URL(`${path}/login`, origin()), origin(), {
      individual_id: AMARA.individual_id,
    });
    const { code } = await lastCode(before);
    // The same code on another sign-in request (codes are bound to their request).
    const other = await start(ACR.otp);
    await other.browser.submit(new URL(`${other.path}/login`, origin()), origin(), {
      individual_id: AMARA.individual_id,
    });
    const reused = await other.browser.submit(new URL(`${other.path}/otp`, origin()), origin(), {
      otp: code,
    });
    expect(await reused.response.text()).toContain('This code is not correct.');
    const wrong = code === '000000' ? '000001' : '000000';
    await browser.submit(new URL(`${path}/otp`, origin()), origin(), { otp: wrong });
    await browser.submit(new URL(`${path}/otp`, origin()), origin(), { otp: wrong });
    const denied = await browser.submit(new URL(`${path}/otp`, origin()), origin(), { otp: wrong });
    expect(denied.url.searchParams.get('error')).toBe('access_denied');
  });
});
