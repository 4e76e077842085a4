import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { asMetadata, issuerMetadata, Stub, startPortal, type TestPortal } from './stubs.js';

let issuer: Stub;
let portal: TestPortal;

beforeAll(async () => {
  issuer = await Stub.start();
});
afterAll(async () => {
  await issuer?.stop();
});
// A portal per test: each starts with an empty metadata cache.
beforeEach(async () => {
  issuer.routes.clear();
  issuer.requests.length = 0;
  portal = await startPortal(issuer.url);
});
afterEach(async () => {
  await portal?.stop();
});

describe('landing page', () => {
  it('lists every credential configuration with its display name, description and a start link', async () => {
    issuer.on('GET /.well-known/openid-credential-issuer', { json: issuerMetadata(issuer.url, issuer.url) });
    const response = await fetch(`${portal.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    const page = await response.text();
    expect(page).toContain('<html lang="en" dir="ltr">');
    expect(page).toContain('<ul class="card-list" id="credential-types" data-testid="credential-types">');
    // Only what the portal can obtain is offered: the mdoc without a scope is left out.
    expect(page.match(/data-testid="credential-type"/g)).toHaveLength(2);
    // 1.0 shape: credential_metadata.display, English entry chosen.
    expect(page).toContain('<h2 id="type-national_id_sd_jwt-name">National ID</h2>');
    expect(page).toContain('<p>Your national identity card</p>');
    expect(page).toContain(
      '<a class="button" id="start-national_id_sd_jwt" data-testid="start-national_id_sd_jwt" href="/start/national_id_sd_jwt">Get National ID</a>',
    );
    // Draft-13 shape: top-level display.
    expect(page).toContain('<h2 id="type-draft13_card-name">Draft 13 card</h2>');
    expect(page).toContain('data-testid="start-draft13_card"');
    // No scope and a format the portal cannot verify: not offered at all.
    expect(page).not.toContain('Mobile licence');
    expect(page).not.toContain('start-no_scope_mdoc');
    // Guest mode and "bind to this browser" for each type.
    expect(page).toContain('href="/start/national_id_sd_jwt?holder=browser"');
    expect(page).toContain('<link rel="stylesheet" href="/assets/portal.css">');
    expect(page).not.toContain('<script');
  });

  it('sends a strict CSP and no referrer, and serves the stylesheet', async () => {
    issuer.on('GET /.well-known/openid-credential-issuer', { json: issuerMetadata(issuer.url, issuer.url) });
    const response = await fetch(`${portal.url}/`);
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp.split(';').sort()).toEqual(
      [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: https: http:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
      ].sort(),
    );
    expect(response.headers.get('referrer-policy')).toBe('no-referrer');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const css = await fetch(`${portal.url}/assets/portal.css`);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.button');
  });

  it('shows a friendly page, not a 500, while the issuer is down, and recovers when it is back', async () => {
    const stopped = await Stub.start();
    await stopped.stop(); // a port nobody listens on
    const lonely = await startPortal(stopped.url);
    try {
      const response = await fetch(`${lonely.url}/`);
      expect(response.status).toBe(503);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const page = await response.text();
      expect(page).toContain('The credential issuer is not available');
      expect(page).toContain('<code id="error-code" data-testid="error-code">unreachable</code>');
      expect(page).toContain('href="/"');
      expect(page).not.toMatch(/at .*\.ts:\d+|Error:/);
    } finally {
      await lonely.stop();
    }

    // Failures are not cached: the same portal sees the issuer as soon as it answers.
    issuer.on('GET /.well-known/openid-credential-issuer', { status: 500, text: 'boom' });
    const failing = await fetch(`${portal.url}/`);
    expect(failing.status).toBe(503);
    expect(await failing.text()).toContain('http_500');
    issuer.on('GET /.well-known/openid-credential-issuer', { json: issuerMetadata(issuer.url, issuer.url) });
    expect((await fetch(`${portal.url}/`)).status).toBe(200);
  });

  it('caches the metadata briefly instead of fetching it for every visitor', async () => {
    issuer.on('GET /.well-known/openid-credential-issuer', { json: issuerMetadata(issuer.url, issuer.url) });
    issuer.on('GET /.well-known/openid-configuration', { json: asMetadata(issuer.url) });
    for (let i = 0; i < 3; i++) expect((await fetch(`${portal.url}/`)).status).toBe(200);
    // The issuer's metadata, and its authorization server's (to see which grants it offers), once.
    expect(issuer.requests.map((r) => r.path)).toEqual([
      '/.well-known/openid-credential-issuer',
      '/.well-known/openid-configuration',
    ]);
  });

  it('shows a friendly page for metadata that is not of this issuer', async () => {
    const other = await Stub.start();
    other.on('GET /.well-known/openid-credential-issuer', {
      json: issuerMetadata('https://someone-else.example', other.url),
    });
    const confused = await startPortal(other.url);
    try {
      const response = await fetch(`${confused.url}/`);
      expect(response.status).toBe(503);
      expect(await response.text()).toContain('invalid_metadata');
    } finally {
      await confused.stop();
      await other.stop();
    }
  });

  it('answers an unknown configuration with a not-found page', async () => {
    issuer.on('GET /.well-known/openid-credential-issuer', { json: issuerMetadata(issuer.url, issuer.url) });
    issuer.on('GET /.well-known/openid-configuration', { json: asMetadata(issuer.url) });
    for (const id of ['nope', 'no_scope_mdoc']) {
      const response = await fetch(`${portal.url}/start/${id}`, { redirect: 'manual' });
      expect(response.status).toBe(404);
      expect(await response.text()).toContain('data-testid="back-home"');
    }
  });
});
