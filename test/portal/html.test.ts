import { describe, expect, it } from 'vitest';
import { issuerKey } from '../../src/portal/catalog/catalogs.js';
import { parseIssuerMetadata } from '../../src/portal/catalog/issuer-metadata.js';
import { escapeHtml, html, htmlToken } from '../../src/portal/html/html.js';
import { messages } from '../../src/portal/i18n/index.js';
import { landingPage } from '../../src/portal/pages/landing.js';
import { resultPage } from '../../src/portal/pages/result.js';
import type { ObtainedCredential } from '../../src/portal/store/credential-store.js';
import { issuerMetadata } from './stubs.js';

const pc = { locale: 'en' as const, m: messages('en'), path: '/' };
const attack = `<script>alert("x")</script><img src=x onerror='y'>\`&`;

describe('HTML escaping', () => {
  it('escapes the characters that end text or attributes', () => {
    expect(escapeHtml(attack)).toBe(
      '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&#96;&amp;',
    );
  });

  it('escapes every interpolated value but keeps nested templates as markup', () => {
    const inner = html`<b>${attack}</b>`;
    const out = html`<p title="${attack}">${inner}${[attack, 1, null, undefined, false]}</p>`.value;
    expect(out).not.toContain('<script>');
    expect(out).not.toContain("onerror='");
    expect(out).toContain('<b>&lt;script&gt;');
    expect(out).toMatch(/^<p title="&lt;script&gt;[^"]*">/);
    expect(out).toContain('&amp;1</p>');
  });

  it('reduces identifiers to attribute-safe tokens', () => {
    expect(htmlToken('a b"c<d>/é')).toBe('a_b_c_d___');
  });

  it('escapes hostile issuer metadata on the landing page', () => {
    const metadata = issuerMetadata('https://issuer.example', 'https://as.example') as {
      credential_configurations_supported: Record<string, unknown>;
      display: unknown;
    };
    metadata.display = [{ name: attack }];
    metadata.credential_configurations_supported[`x"><script>`] = {
      format: 'dc+sd-jwt',
      scope: 'x',
      credential_metadata: { display: [{ name: attack, description: attack }] },
    };
    const catalog = parseIssuerMetadata(metadata, 'https://issuer.example');
    const entry = { key: issuerKey(catalog.issuer), url: catalog.issuer, primary: true, catalog };
    const page = landingPage(pc, [entry], attack).value;
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('value="&lt;script&gt;alert(&quot;x&quot;)');
    expect(page).toContain('href="/start/x%22%3E%3Cscript%3E"');
    expect(page).toContain('data-testid="start-x___script_"');
  });

  it('escapes claim values, names and labels on the result page', () => {
    const obtained: ObtainedCredential = {
      configurationId: 'c',
      credential: 'x',
      mediaType: 'application/dc+sd-jwt',
      format: 'dc+sd-jwt',
      typeName: attack,
      issuerName: attack,
      typeDisplay: [
        { name: attack, locale: 'en', logo: { uri: `javascript:${attack}` }, background_color: attack },
      ],
      issuerDisplay: [{ name: attack }],
      claimsMeta: [{ path: 'address.locality', display: [{ name: 'Town', locale: 'en' }] }],
      selectable: [attack, 'given_name'],
      holder: 'guest',
      claims: {
        given_name: attack,
        [attack]: 'v',
        address: { locality: attack, street_address: 'Main St' },
        nationalities: ['NG', attack],
      },
      labels: { given_name: attack, 'address.locality': 'Town' },
      issuedAt: undefined,
      expiresAt: undefined,
    };
    const page = resultPage(pc, 'abc', obtained).value;
    expect(page).not.toContain('<script>');
    expect(page).not.toContain('<img');
    expect(page).toContain('<div class="claim" data-claim="address.locality"><dt>Town</dt>');
    expect(page).toContain('data-claim="nationalities"');
  });
});
