import { describe, expect, it } from 'vitest';
import { MISMATCH_MESSAGE } from '../../src/authz/views/login.js';
import { AMARA, authzForFile, Browser } from './helpers.js';

const authz = authzForFile(async (test) => {
  // Many wrong answers for Amara below: the per-ID lockout is tested in lockout.test.ts.
  test.config.authz.login.lockout.failures = 1000;
});

const origin = () => authz.config.authz.publicUrl;
const redirectUri = () => authz.config.authz.clients[0]?.redirect_uris[0] ?? '';

/** Starts an authorization request and stops at the sign-in page. */
async function startSignIn() {
  const browser = new Browser();
  const { buildAuthorizationUrl, calculatePKCECodeChallenge, randomPKCECodeVerifier } = await import(
    'openid-client'
  );
  const url = buildAuthorizationUrl(authz.rp, {
    redirect_uri: redirectUri(),
    scope: 'openid national_id',
    code_challenge: await calculatePKCECodeChallenge(randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: 'state-1',
    resource: authz.config.authz.resources[0]?.identifier ?? '',
  });
  const page = await browser.follow(url, origin());
  expect(page.response.status).toBe(200);
  expect(page.url.pathname).toMatch(/^\/interaction\/[\w-]+$/);
  return { browser, page, formUrl: new URL(`${page.url.pathname}/login`, origin()) };
}

describe('the sign-in page', () => {
  it('is plain HTML with labelled inputs, one stylesheet, no script and a strict CSP', async () => {
    const { page } = await startSignIn();
    const html = await page.response.text();
    expect(page.response.headers.get('content-type')).toMatch(/^text\/html/);
    expect(html).toMatch(/<html lang="en" dir="ltr">/);
    expect(html).not.toMatch(/<script|style=|<style/i);
    for (const [id, type] of [
      ['individual_id', 'text'],
      ['full_name', 'text'],
      ['date_of_birth', 'date'],
    ]) {
      expect(html).toContain(`<label for="${id}">`);
      expect(html).toMatch(new RegExp(`<input id="${id}" name="${id}" type="${type}"`));
    }
    expect(html).toMatch(/<form method="post" action="\/interaction\/[\w-]+\/login"/);
    const csp = page.response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(page.response.headers.get('cache-control')).toBe('no-store');

    const href = /<link rel="stylesheet" href="([^"]+)">/.exec(html)?.[1];
    const css = await fetch(new URL(href ?? '', origin()));
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('answers an unknown or expired sign-in request with an explanation, not an error dump', async () => {
    const response = await new Browser().request(new URL('/interaction/unknown-uid', origin()));
    expect(response.status).toBe(400);
    const html = await response.text();
    expect(html).toContain('Sign-in request expired');
    expect(html).toMatch(/<html lang="en" dir="ltr">/);
  });
});

describe('knowledge-based identification', () => {
  const wrongAnswers = {
    'a wrong full name': { ...AMARA, full_name: 'Amara Okafo' },
    'a wrong date of birth': { ...AMARA, date_of_birth: '1970-03-14' },
    'an unknown individual ID': { ...AMARA, individual_id: '9999999999' },
  };

  it.each(Object.entries(wrongAnswers))(
    'refuses %s with the same message and no code',
    async (_, answers) => {
      const { browser, formUrl } = await startSignIn();
      const { response, url } = await browser.submit(formUrl, origin(), answers);
      expect(response.status).toBe(200);
      expect(url.href).toBe(formUrl.href);
      const html = await response.text();
      expect(html).toContain(MISMATCH_MESSAGE);
      expect(html).toContain('role="alert"');
      // Neither the name nor the date is echoed back.
      expect(html).not.toContain(answers.full_name);
      expect(html).not.toContain(answers.date_of_birth);
      expect(response.headers.get('location')).toBeNull();
    },
  );

  it('gives the same page whichever field was wrong', async () => {
    const bodies: string[] = [];
    for (const answers of [wrongAnswers['a wrong full name'], wrongAnswers['a wrong date of birth']]) {
      const { browser, formUrl } = await startSignIn();
      const { response } = await browser.submit(formUrl, origin(), answers);
      const uid = formUrl.pathname.split('/')[2] ?? '';
      bodies.push((await response.text()).replaceAll(uid, 'UID'));
    }
    expect(bodies[0]).toBe(bodies[1]);
  });

  it('matches names across Unicode composition and case (NFC + case folding)', async () => {
    // "Noah Müller" typed with a combining diaeresis (NFD) and in capitals.
    const decomposed = 'NOAH MU\u0308LLER';
    expect(decomposed).not.toBe('NOAH MÜLLER');
    const { browser, formUrl } = await startSignIn();
    const { url } = await browser.submit(formUrl, origin(), {
      individual_id: '5102038191',
      full_name: decomposed,
      date_of_birth: '1959-09-04',
    });
    expect(url.searchParams.get('code')).toBeTruthy();
  });

  it('signs in with the right details after a wrong attempt', async () => {
    const { browser, formUrl } = await startSignIn();
    await browser.submit(formUrl, origin(), wrongAnswers['a wrong date of birth']);
    const { url } = await browser.submit(formUrl, origin(), AMARA);
    expect(url.href.startsWith(redirectUri())).toBe(true);
    expect(url.searchParams.get('code')).toBeTruthy();
    expect(url.searchParams.get('state')).toBe('state-1');
  });

  it('ends the request with access_denied after three wrong attempts', async () => {
    const { browser, formUrl } = await startSignIn();
    for (let i = 1; i < 3; i++) {
      const { response } = await browser.submit(formUrl, origin(), wrongAnswers['a wrong full name']);
      expect(response.status).toBe(200);
    }
    const { url } = await browser.submit(formUrl, origin(), wrongAnswers['a wrong full name']);
    expect(url.href.startsWith(redirectUri())).toBe(true);
    expect(url.searchParams.get('error')).toBe('access_denied');
    expect(url.searchParams.get('code')).toBeNull();
  });

  it('re-renders the form (400) for incomplete input instead of failing', async () => {
    const { browser, formUrl } = await startSignIn();
    const { response } = await browser.submit(formUrl, origin(), { ...AMARA, date_of_birth: '13/03/1970' });
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('<form method="post"');
  });

  it('refuses a form posted without the interaction cookie (another browser)', async () => {
    const { formUrl } = await startSignIn();
    const { response } = await new Browser().submit(formUrl, origin(), AMARA);
    expect(response.status).toBe(400);
    expect(await response.text()).toContain('Sign-in request expired');
  });

  it('returns access_denied to the client when the person cancels', async () => {
    const { browser, page } = await startSignIn();
    const { url } = await browser.submit(new URL(`${page.url.pathname}/abort`, origin()), origin(), {});
    expect(url.href.startsWith(redirectUri())).toBe(true);
    expect(url.searchParams.get('error')).toBe('access_denied');
  });
});
