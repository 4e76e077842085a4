import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { clock } from '../../src/authz/factors/clock.js';
import { AMARA, authzForFile, Browser } from './helpers.js';

const TWIN_ACR = 'urn:attesta:acr:kbi-twin';

const authz = authzForFile(async (test) => {
  test.config.authz.login.implicitConsentClients = [];
  // A second realm whose ids look exactly like the default realm's (same person, same id): consent
  // remembered in one realm must not be taken for the other.
  const csv = join(test.dataDir, 'twin-realm.csv');
  writeFileSync(csv, `id,name,dob\n${AMARA.individual_id},${AMARA.full_name},${AMARA.date_of_birth}\n`);
  const defaultFields = test.config.authz.login.kbi.fields;
  test.config.authz.login.realms = [
    ...(test.config.authz.login.realms ?? []),
    {
      acr: TWIN_ACR,
      registry: {
        adapter: 'csv',
        csv: { file: csv, columns: { individualId: 'id', fullName: 'name', birthDate: 'dob' } },
      },
      fields: defaultFields,
    } as NonNullable<typeof test.config.authz.login.realms>[number],
  ];
  const portal = test.config.authz.clients[0];
  if (portal) {
    portal.acr_values = [...(portal.acr_values ?? []), TWIN_ACR];
    portal.scope = `${portal.scope} profile email`;
    portal.logo_uri = `${test.config.portal.publicUrl}/logo.png`;
    portal.client_names = { fr: 'Portail Attesta', ar: 'بوابة Attesta' };
  }
});

afterEach(() => {
  clock.now = () => Date.now();
});

const origin = () => authz.config.authz.publicUrl;
const redirectUri = () => authz.config.authz.clients[0]?.redirect_uris[0] ?? '';

/** authorize → sign-in → (consent page or callback). */
async function signIn(params: Record<string, string> = {}) {
  const browser = new Browser();
  const url = client.buildAuthorizationUrl(authz.rp, {
    redirect_uri: redirectUri(),
    scope: 'openid national_id',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    state: 'st',
    resource: authz.config.authz.resources[0]?.identifier ?? '',
    ...params,
  });
  const start = await browser.follow(url, origin());
  const done = await browser.submit(new URL(`${start.url.pathname}/login`, origin()), origin(), AMARA);
  // After the sign-in, consent is a new interaction (its own uid).
  const onConsentPage = done.response.status === 200 && /^\/interaction\/[\w-]+$/.test(done.url.pathname);
  return { browser, ...done, path: done.url.pathname, onConsentPage };
}

describe('consent', () => {
  it('lists the requested claims (essential vs voluntary) and the client with its logo', async () => {
    const claims = JSON.stringify({ id_token: { email: { essential: true }, birthdate: null } });
    const { response, url } = await signIn({ scope: 'openid profile national_id', claims });
    expect(url.pathname).toMatch(/^\/interaction\/[\w-]+$/);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h1>Share your information</h1>');
    expect(html).toContain('<strong>Attesta portal</strong> asks for the following:');
    expect(html).toContain(
      `<img src="${authz.config.portal.publicUrl}/logo.png" alt="" width="48" height="48">`,
    );
    const item = (label: string, tag: string) =>
      new RegExp(`<li><span>${label}</span><span class="tag[^"]*">${tag}</span></li>`);
    expect(html).toMatch(item('Your identifier', 'required'));
    expect(html).toMatch(item('E-mail address', 'required'));
    expect(html).toMatch(item('Date of birth', 'optional'));
    expect(html).toMatch(item('Full name', 'optional'));
    expect(html).toMatch(item('Your national ID credential', 'required'));
    // The logo's origin, and only it, is added to img-src; still no script.
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain(`img-src 'self' ${authz.config.portal.publicUrl}`);
    expect(csp).toContain("script-src 'none'");
    expect(html).not.toMatch(/<script/i);
  });

  it('returns access_denied to the client when the person denies', async () => {
    const { browser, path, onConsentPage } = await signIn({ scope: 'openid email national_id' });
    expect(onConsentPage).toBe(true);
    const denied = await browser.submit(new URL(`${path}/consent`, origin()), origin(), { decision: 'deny' });
    expect(denied.url.href.startsWith(redirectUri())).toBe(true);
    expect(denied.url.searchParams.get('error')).toBe('access_denied');
    expect(denied.url.searchParams.get('code')).toBeNull();
  });

  it('remembers an allowed consent, skips it while valid, asks again for prompt=consent and after expiry', async () => {
    const first = await signIn({ scope: 'openid national_id' });
    expect(first.onConsentPage).toBe(true);
    const allowed = await first.browser.submit(new URL(`${first.path}/consent`, origin()), origin(), {
      decision: 'allow',
    });
    expect(allowed.url.href.startsWith(redirectUri())).toBe(true);
    expect(allowed.url.searchParams.get('code')).toBeTruthy();

    const again = await signIn({ scope: 'openid national_id' });
    expect(again.url.href.startsWith(redirectUri())).toBe(true);
    expect(again.url.searchParams.get('code')).toBeTruthy();

    const forced = await signIn({ scope: 'openid national_id', prompt: 'consent' });
    expect(forced.onConsentPage).toBe(true);
    expect(await forced.response.text()).toContain('Share your information');

    // Something not consented before (e-mail) brings the page back.
    const more = await signIn({ scope: 'openid email national_id' });
    expect(more.onConsentPage).toBe(true);

    const later = Date.now() + (authz.config.authz.login.consentTtl + 60) * 1000;
    clock.now = () => later;
    const expired = await signIn({ scope: 'openid national_id' });
    expect(expired.onConsentPage).toBe(true);
  });

  it('keeps remembered consent to its realm: the same id in another realm is asked again', async () => {
    const first = await signIn({ scope: 'openid driving_licence' });
    expect(first.onConsentPage).toBe(true);
    await first.browser.submit(new URL(`${first.path}/consent`, origin()), origin(), { decision: 'allow' });
    const again = await signIn({ scope: 'openid driving_licence' });
    expect(again.url.href.startsWith(redirectUri())).toBe(true);
    // Same id, same name, same birth date — but signed in to the twin realm.
    const twin = await signIn({ scope: 'openid driving_licence', acr_values: TWIN_ACR });
    expect(twin.onConsentPage).toBe(true);
  });

  it('shows the client name per locale and Arabic right to left', async () => {
    const fr = await signIn({ scope: 'openid national_id', prompt: 'consent', ui_locales: 'fr-CA en' });
    const frHtml = await fr.response.text();
    expect(frHtml).toContain('<html lang="fr" dir="ltr">');
    expect(frHtml).toContain('<strong>Portail Attesta</strong> demande les éléments suivants :');
    expect(frHtml).toContain('Autoriser');
    const ar = await signIn({ scope: 'openid national_id', prompt: 'consent', ui_locales: 'ar' });
    const arHtml = await ar.response.text();
    expect(arHtml).toContain('<html lang="ar" dir="rtl">');
    expect(arHtml).toContain('بوابة Attesta');
  });
});
