import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoopbackBrowser as Browser } from '../helpers/loopback-browser.js';
import { verifyWithPublishedKeys } from '../helpers/published-keys.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';

const AMARA = { individual_id: '5102030400', full_name: 'Amara Okafor', date_of_birth: '1970-03-13' };

let system: TestSystem;
beforeAll(async () => {
  system = await startTestSystem();
});
afterAll(async () => system?.stop());

/** From the landing page to the authz login form. */
async function toLogin(browser: Browser): Promise<string> {
  const landing = await browser.follow(`${system.urls.portal}/`);
  expect(landing.status).toBe(200);
  const page = await landing.text();
  const start = /id="start-national_id_sd_jwt" data-testid="start-national_id_sd_jwt" href="([^"]+)"/.exec(
    page,
  );
  expect(start?.[1]).toBe('/start/national_id_sd_jwt');
  const login = await browser.follow(`${system.urls.portal}${start?.[1]}`);
  expect(login.status).toBe(200);
  expect(browser.url.startsWith(`${system.urls.authz}/interaction/`)).toBe(true);
  return login.text();
}

describe('the whole journey over HTTP', () => {
  it('lists the national ID from the real issuer', async () => {
    const page = await (await fetch(`${system.urls.portal}/`)).text();
    expect(page).toContain('<h2 id="type-national_id_sd_jwt-name">National ID</h2>');
    expect(page).toContain('<p>Proof of identity issued from the national identity registry</p>');
  });

  it('signs Amara in, issues, verifies and shows her national ID, and offers the download', async () => {
    const browser = new Browser();
    const login = await toLogin(browser);
    const hops: string[] = [];
    const result = await browser.submit(login, /\/login$/, AMARA, hops);
    expect(hops.some((h) => h.startsWith(`${system.urls.portal}/callback?`))).toBe(true);
    expect(browser.url).toMatch(new RegExp(`^${system.urls.portal}/credentials/[A-Za-z0-9_-]{22}$`));
    expect(result.status).toBe(200);
    const page = await result.text();
    const claim = (name: string) =>
      new RegExp(`data-claim="${name}"><dt>([^<]*)</dt><dd data-claim-value="${name}">([^<]*)</dd>`)
        .exec(page)
        ?.slice(1);
    expect(claim('given_name')).toEqual(['Given name', 'Amara']);
    expect(claim('family_name')).toEqual(['Family name', 'Okafor']);
    expect(page).toContain(
      '<dt>Date of birth</dt><dd data-claim-value="birthdate"><time datetime="1970-03-13">13 March 1970</time></dd>',
    );
    expect(claim('address.locality')).toEqual(['Locality', 'Lagos']);
    // An e-mail address may break after its @ on a small phone (<wbr>), never inside a word.
    expect(page).toContain('<dd data-claim-value="email">amara.okafor@<wbr>example.org</dd>');
    expect(claim('issuing_country')).toEqual(['Issuing country', 'XA']);
    expect(page).toContain('data-testid="download"');

    const download = await browser.go(`${browser.url}/download`);
    expect(download.status).toBe(200);
    expect(download.headers.get('content-type')).toBe('application/dc+sd-jwt');
    expect(download.headers.get('content-disposition')).toMatch(/^attachment; filename="[^"]+\.sd-jwt"$/);
    const credential = await download.text();
    // An independent check of what was downloaded, with the issuer's published keys.
    const verified = await verifyWithPublishedKeys(credential, system.urls.issuer);
    expect(verified.claims).toMatchObject({
      given_name: 'Amara',
      family_name: 'Okafor',
      birthdate: '1970-03-13',
    });
    expect(decodeJwt(credential.split('~')[0] ?? '').cnf).toHaveProperty('jwk');

    // Another browser cannot see it.
    expect((await new Browser().go(browser.url)).status).toBe(404);
  });

  it('adds to a wallet with no API key configured: the portal gets an issuer:offers client-credentials token', async () => {
    expect(system.config.portal.issuerApiKey).toBe('');
    const browser = new Browser();
    const login = await toLogin(browser);
    const result = await browser.submit(login, /\/login$/, AMARA);
    const page = await result.text();
    expect(page).toContain('data-testid="add-to-wallet"');
    const wallet = await browser.go(`${browser.url}/wallet`, { method: 'POST' });
    expect(wallet.status).toBe(200);
    const walletPage = await wallet.text();
    const uri = /data-offer-uri="([^"]+)"/.exec(walletPage)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(uri).toMatch(/^openid-credential-offer:\/\/\?credential_offer_uri=/);
    const offerUrl = new URL(uri).searchParams.get('credential_offer_uri') ?? '';
    expect(offerUrl.startsWith(`${system.urls.issuer}/`)).toBe(true);
    const offer = (await (await fetch(offerUrl)).json()) as Record<string, unknown>;
    // The credential the person got first, then the same credential in the issuer's other formats,
    // so a wallet that cannot take SD-JWT picks another from the same offer.
    const ids = offer.credential_configuration_ids as string[];
    expect(ids[0]).toBe('national_id_sd_jwt');
    expect([...ids].sort()).toEqual(['national_id_jwt_vc', 'national_id_ldp_vc', 'national_id_sd_jwt']);
    expect(offer).toMatchObject({
      credential_issuer: system.urls.issuer,
      grants: {
        'urn:ietf:params:oauth:grant-type:pre-authorized_code': {
          tx_code: { length: 6, input_mode: 'numeric' },
        },
      },
    });
  });

  it('shows the cancelled page when the person cancels at the sign-in service', async () => {
    const browser = new Browser();
    const login = await toLogin(browser);
    const page = await browser.submit(login, /\/abort$/, {});
    expect(browser.url.startsWith(`${system.urls.portal}/callback?`)).toBe(true);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign-in cancelled');
  });

  it('refuses a replayed callback', async () => {
    const browser = new Browser();
    const login = await toLogin(browser);
    const hops: string[] = [];
    await browser.submit(login, /\/login$/, AMARA, hops);
    const callback = hops.find((h) => h.startsWith(`${system.urls.portal}/callback?`)) ?? '';
    const replay = await browser.go(callback);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('This sign-in has expired');
  });
});
