import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asMetadata, issuerMetadata, Stub, startPortal, type TestPortal } from './stubs.js';

/**
 * One card per credential: an issuer offering its national ID as SD-JWT VC, W3C JWT and W3C JSON-LD
 * (one scope, three configurations) and a driving licence as ISO mdoc and SD-JWT VC shows two cards,
 * each with one "Get" button for the journey's format and the other formats named in plain words.
 */
let issuer: Stub;
let portal: TestPortal;

function groupedMetadata(url: string): Record<string, unknown> {
  const base = issuerMetadata(url, url) as { credential_configurations_supported: Record<string, unknown> };
  const national = base.credential_configurations_supported.national_id_sd_jwt as Record<string, unknown>;
  const display = (name: string, fr: string) => ({
    credential_metadata: {
      display: [
        { name, locale: 'en', description: `${name} of the registry` },
        { name: fr, locale: 'fr' },
      ],
    },
  });
  return {
    ...base,
    credential_configurations_supported: {
      // Listed in the "wrong" order on purpose: the journey's format is chosen, not the first listed.
      national_id_ldp_vc: { format: 'ldp_vc', scope: 'national_id', ...display('National ID', 'Carte') },
      national_id_jwt_vc: { format: 'jwt_vc_json', scope: 'national_id', ...display('National ID', 'Carte') },
      national_id_sd_jwt: national,
      driving_licence_mdoc: {
        format: 'mso_mdoc',
        scope: 'driving_licence',
        doctype: 'org.iso.18013.5.1.mDL',
        ...display('Driving licence', 'Permis de conduire'),
      },
      driving_licence_sd_jwt: {
        format: 'dc+sd-jwt',
        scope: 'driving_licence',
        vct: `${url}/dl`,
        ...display('Driving licence', 'Permis de conduire'),
      },
    },
  };
}

beforeAll(async () => {
  issuer = await Stub.start();
  issuer.on('GET /.well-known/openid-credential-issuer', { json: groupedMetadata(issuer.url) });
  issuer.on('GET /.well-known/oauth-authorization-server', { json: asMetadata(issuer.url) });
  portal = await startPortal(issuer.url);
});
afterAll(async () => {
  await portal?.stop();
  await issuer?.stop();
});

async function page(path: string): Promise<string> {
  return (await fetch(`${portal.url}${path}`)).text();
}

const cardsOf = (html: string) =>
  [
    ...html.matchAll(
      /<li class="card" data-testid="credential-type" data-configuration-id="([^"]+)" data-configurations="([^"]+)"/g,
    ),
  ].map((m) => ({ primary: m[1], all: m[2]?.split(' ') }));

describe('one card per credential', () => {
  it('groups the formats of one credential and picks the SD-JWT VC for the card and PDF journey', async () => {
    const html = await page('/?lang=en');
    const cards = cardsOf(html);
    expect(cards).toEqual([
      {
        primary: 'national_id_sd_jwt',
        all: ['national_id_sd_jwt', 'national_id_jwt_vc', 'national_id_ldp_vc'],
      },
      { primary: 'driving_licence_sd_jwt', all: ['driving_licence_sd_jwt', 'driving_licence_mdoc'] },
    ]);
    // One "Get" button per card, each naming a different credential.
    const gets = [...html.matchAll(/<a class="button" id="start-[^"]+"[^>]*>([^<]+)<\/a>/g)].map((m) => m[1]);
    expect(gets).toEqual(['Get National ID', 'Get Driving licence']);
    expect(new Set(gets).size).toBe(gets.length);
  });

  it('names the other formats in plain words, each a start link of its own', async () => {
    const html = await page('/?lang=en');
    expect(html).toContain('<summary>Other formats</summary>');
    expect(html).toContain('href="/start/national_id_jwt_vc">W3C verifiable credential (JWT)</a>');
    expect(html).toContain('href="/start/national_id_ldp_vc">W3C verifiable credential (JSON-LD)</a>');
    expect(html).toContain('href="/start/driving_licence_mdoc">Mobile driving licence (ISO mdoc)</a>');
    const french = await page('/?lang=fr');
    expect(french).toContain('<summary>Autres formats</summary>');
    expect(french).toContain('Permis de conduire mobile (ISO mdoc)</a>');
  });

  it('still finds every credential by search, in the page language', async () => {
    expect(cardsOf(await page('/?lang=en&q=licence')).map((c) => c.primary)).toEqual([
      'driving_licence_sd_jwt',
    ]);
    expect(cardsOf(await page('/?lang=fr&q=permis')).map((c) => c.primary)).toEqual([
      'driving_licence_sd_jwt',
    ]);
    const both = await page('/?lang=en&q=registry');
    expect(cardsOf(both)).toHaveLength(2);
    expect(both).toContain('2 results for “registry”');
  });
});
