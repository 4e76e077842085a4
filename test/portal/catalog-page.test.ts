import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerKey } from '../../src/portal/catalog/catalogs.js';
import { fromAcceptLanguage } from '../../src/portal/i18n/index.js';
import { asMetadata, CookieJar, issuerMetadata, Stub, startPortal, type TestPortal } from './stubs.js';

/**
 * The catalogue of three issuers: ours (display in en/fr/ar with logo and colours), an external one
 * whose authorization server only does pre-authorized codes (nothing the portal can obtain), and
 * one that is down.
 */
let ours: Stub;
let preAuthOnly: Stub;
let down: Stub;
let portal: TestPortal;

function oursMetadata(url: string) {
  const metadata = issuerMetadata(url, url) as {
    display: unknown;
    credential_configurations_supported: Record<string, { credential_metadata?: Record<string, unknown> }>;
  };
  metadata.display = [
    { name: 'Registry Office', locale: 'en' },
    { name: 'Bureau du registre', locale: 'fr' },
    { name: 'مكتب السجل', locale: 'ar' },
  ];
  const national = metadata.credential_configurations_supported.national_id_sd_jwt;
  if (national?.credential_metadata) {
    national.credential_metadata.display = [
      {
        name: 'National ID',
        locale: 'en',
        description: 'Your national identity card',
        logo: { uri: 'https://logos.example/id.png', alt_text: 'Registry logo' },
        background_color: '#12355b',
        text_color: '#ffffff',
      },
      { name: 'Carte nationale', locale: 'fr-FR', description: 'Votre carte d’identité' },
      { name: 'البطاقة الوطنية', locale: 'ar' },
    ];
  }
  return metadata;
}

beforeAll(async () => {
  ours = await Stub.start();
  preAuthOnly = await Stub.start();
  down = await Stub.start();
  await down.stop();
  ours
    .on('GET /.well-known/openid-credential-issuer', () => ({ json: oursMetadata(ours.url) }))
    .on('GET /.well-known/openid-configuration', () => ({ json: asMetadata(ours.url) }));
  preAuthOnly
    .on('GET /.well-known/openid-credential-issuer', () => ({
      json: issuerMetadata(preAuthOnly.url, preAuthOnly.url),
    }))
    .on('GET /.well-known/openid-configuration', () => ({
      json: {
        ...asMetadata(preAuthOnly.url),
        grant_types_supported: ['urn:ietf:params:oauth:grant-type:pre-authorized_code'],
      },
    }));
  portal = await startPortal(ours.url, { issuers: [preAuthOnly.url, down.url] });
});
afterAll(async () => {
  await portal?.stop();
  await ours?.stop();
  await preAuthOnly?.stop();
});

async function page(path: string, headers: Record<string, string> = {}, jar = new CookieJar()) {
  const response = await jar.fetch(`${portal.url}${path}`, { headers });
  return { status: response.status, text: await response.text(), response };
}

describe('catalogue', () => {
  it('lists each issuer: its types, one it cannot use left out, one that is down named', async () => {
    const { status, text } = await page('/');
    expect(status).toBe(200);
    expect(text).toContain('<a class="brand" href="/">Registry Office</a>');
    expect(text).toContain('<h2 id="type-national_id_sd_jwt-name">National ID</h2>');
    expect(text).toContain('<img class="logo" src="https://logos.example/id.png" alt="Registry logo"');
    expect(text).toMatch(/<div class="card-band theme-[0-9a-f]{10}">/);
    // The pre-authorized-only issuer: a section, but no credential the portal could start.
    expect(text).toContain(`data-issuer="${issuerKey(preAuthOnly.url)}"`);
    expect(text).not.toContain(`?issuer=${issuerKey(preAuthOnly.url)}`);
    // The issuer that is down: named, with the reason.
    expect(text).toContain('data-testid="issuer-unavailable"');
    expect(text).toContain('This issuer cannot be reached at the moment. <code>unreachable</code>');
  });

  it('serves the colours of the types as classes in the stylesheet (no inline style under the CSP)', async () => {
    const { text } = await page('/');
    const themeClass = /card-band (theme-[0-9a-f]{10})/.exec(text)?.[1];
    const css = await (await fetch(`${portal.url}/assets/portal.css`)).text();
    expect(css).toContain(`.${themeClass} { background-color: #12355b; color: #ffffff; }`);
  });

  it('speaks the language of Accept-Language, with fallback for what the issuer does not translate', async () => {
    const { text } = await page('/', { 'accept-language': 'de;q=0.9, fr-CA;q=0.8, en;q=0.5' });
    expect(text).toContain('<html lang="fr" dir="ltr">');
    expect(text).toContain('<h1>Obtenir une attestation numérique</h1>');
    // fr-FR display for the fr locale (same language), the issuer's fr name.
    expect(text).toContain('<h2 id="type-national_id_sd_jwt-name">Carte nationale</h2>');
    expect(text).toContain('Délivrée par Bureau du registre');
    // Draft-13 type has one display without a locale: used for every language.
    expect(text).toContain('Draft 13 card');
    expect(fromAcceptLanguage('ar-EG,en;q=0.1')).toBe('ar');
    expect(fromAcceptLanguage('de, es')).toBeUndefined();
    expect(fromAcceptLanguage('fr;q=0, en')).toBe('en');
  });

  it('switches to Arabic, right to left, and remembers the choice', async () => {
    const jar = new CookieJar();
    const arabic = await page('/?lang=ar', {}, jar);
    expect(arabic.text).toContain('<html lang="ar" dir="rtl">');
    expect(arabic.text).toContain('البطاقة الوطنية');
    expect(arabic.text).toContain(
      '<li><a lang="en" hreflang="en" data-testid="lang-en" href="/?lang=en">English</a></li>',
    );
    expect(arabic.text).toContain('<span lang="ar" aria-current="true">العربية</span>');
    const again = await page('/', {}, jar);
    expect(again.text).toContain('<html lang="ar" dir="rtl">');
  });

  it('filters by the search words on the server, keeping the query in the language links', async () => {
    const found = await page('/?q=carte&lang=fr');
    expect(found.text).toContain('value="carte"');
    expect(found.text).toContain('1 résultat pour « carte »');
    expect(found.text).toContain('Carte nationale');
    expect(found.text).not.toContain('Draft 13 card');
    expect(found.text).toContain('href="/?q=carte&amp;lang=en"');
    const none = await page('/?q=passport');
    expect(none.text).toContain('0 results for “passport”');
    expect(none.text).toContain('No credential matches your search.');
    expect(none.text).not.toContain('data-testid="credential-type"');
    const issuerName = await page('/?q=registry%20office');
    expect(issuerName.text.match(/data-testid="credential-type"/g)).toHaveLength(2);
  });

  it('refuses to start a type of an issuer it cannot use, or of an unknown issuer key', async () => {
    for (const path of [
      `/start/national_id_sd_jwt?issuer=${issuerKey(down.url)}`,
      '/start/national_id_sd_jwt?issuer=nope',
    ]) {
      const { status, text } = await page(path);
      expect(status).toBeGreaterThanOrEqual(400);
      expect(text).toContain('data-testid="back-home"');
    }
  });
});
