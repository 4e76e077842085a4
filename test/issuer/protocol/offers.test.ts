import { decodeJwt, decodeProtectedHeader } from 'jose';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OfferView } from '../../../src/issuer/offers/create.js';
import { decodeQr } from '../../helpers/qr.js';
import { testConfig } from '../../helpers/system.js';
import { type ForeignAs, startForeignAs } from '../helpers/foreign-as.js';
import {
  createOffer,
  expectError,
  http,
  PRE_AUTH,
  postCredential,
  proofsFor,
  redeem,
} from '../helpers/protocol-client.js';
import {
  type ProtocolIssuer,
  protocolIssuerForFile,
  startProtocolIssuer,
} from '../helpers/protocol-issuer.js';
import { newHolder } from '../helpers/wallet.js';

const issuer = protocolIssuerForFile({ protocol: { txCodeAttempts: 3 } });

const OFFER = {
  credential_configuration_ids: ['national_id_sd_jwt'],
  claims: { given_name: 'Amara', address: { locality: 'Lomé' }, nationalities: ['TG'] },
  grants: {
    pre_authorized_code: { tx_code: { length: 6, input_mode: 'numeric', description: 'Code sent by SMS' } },
  },
};

type Grant = {
  'pre-authorized_code': string;
  tx_code?: Record<string, unknown>;
  authorization_server?: string;
};
const grantOf = (offer: Record<string, unknown>) =>
  (offer.grants as Record<string, Grant>)[PRE_AUTH] as Grant;

describe('creating offers', () => {
  it('requires the admin', async () => {
    const result = await http(`${issuer.url}/admin/offers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(OFFER),
    });
    expect(result.status).toBe(401);
  });

  it('refuses claims the configuration does not declare, naming the path', async () => {
    const result = await createOffer(issuer.url, { ...OFFER, claims: { ...OFFER.claims, shoe_size: 44 } });
    expectError(result, 400, 'invalid_request');
    expect(result.body?.error_description).toContain('shoe_size');
    const nested = await createOffer(issuer.url, {
      ...OFFER,
      claims: { ...OFFER.claims, address: { planet: 'Earth' } },
    });
    expect(nested.body?.error_description).toContain('address.planet');
  });

  it('enforces mandatory claims', async () => {
    const result = await createOffer(issuer.url, { ...OFFER, claims: { given_name: 'Amara' } });
    expectError(result, 400, 'invalid_request');
    expect(result.body?.error_description).toContain('nationalities');
  });

  it('refuses an unknown configuration', async () => {
    expectError(
      await createOffer(issuer.url, { ...OFFER, credential_configuration_ids: ['nope'] }),
      400,
      'invalid_request',
    );
  });

  it('returns the offer by value and by reference, with tx_code shown once', async () => {
    const result = await createOffer(issuer.url, OFFER);
    expect(result.status).toBe(201);
    const body = result.body as unknown as OfferView;
    expect(body.tx_code).toMatch(/^\d{6}$/);
    expect(body.credential_offer.credential_issuer).toBe(issuer.url);
    expect(body.credential_offer.credential_configuration_ids).toEqual(['national_id_sd_jwt']);
    expect(grantOf(body.credential_offer).tx_code).toEqual({
      length: 6,
      input_mode: 'numeric',
      description: 'Code sent by SMS',
    });
    expect(grantOf(body.credential_offer).authorization_server).toBe(issuer.url);
    const byValue = new URL(body.credential_offer_uri_by_value);
    expect(byValue.protocol).toBe('openid-credential-offer:');
    expect(JSON.parse(byValue.searchParams.get('credential_offer') as string)).toEqual(body.credential_offer);
    expect(body.offer_uri_by_reference).toBe(
      `openid-credential-offer://?credential_offer_uri=${encodeURIComponent(body.credential_offer_uri)}`,
    );
    // The offer document never contains the transaction code.
    expect(JSON.stringify(body.credential_offer)).not.toContain(body.tx_code);
  });
});

describe('offer by reference, QR codes and the pre-authorized grant', () => {
  it('is fetched by reference, its QR codes decode to the wallet URI, and it is redeemed once', async () => {
    const created = (await createOffer(issuer.url, OFFER)).body as unknown as OfferView;
    const fetched = await http(created.credential_offer_uri);
    expect(fetched.status).toBe(200);
    expect(fetched.headers.get('access-control-allow-origin')).toBe('*');
    expect(fetched.headers.get('cache-control')).toBe('no-store');
    expect(fetched.body).toEqual(created.credential_offer);

    const png = Buffer.from(await (await fetch(created.qr_png)).arrayBuffer());
    const image = PNG.sync.read(png);
    const decoded = decodeQr(new Uint8ClampedArray(image.data), image.width, image.height);
    expect(decoded?.data).toBe(created.offer_uri_by_reference);
    const svg = await fetch(created.qr_svg);
    expect(svg.headers.get('content-type')).toContain('image/svg+xml');
    expect(await svg.text()).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);

    const grant = grantOf(fetched.body as Record<string, unknown>);
    const token = await redeem(issuer.url, grant['pre-authorized_code'], created.tx_code);
    expect(token.status).toBe(200);
    expect(token.headers.get('cache-control')).toBe('no-store');
    const tokenBody = token.body as Record<string, unknown>;
    expect(tokenBody.token_type).toBe('Bearer');
    expect(tokenBody.authorization_details).toEqual([
      {
        type: 'openid_credential',
        credential_configuration_id: 'national_id_sd_jwt',
        credential_identifiers: ['national_id_sd_jwt'],
      },
    ]);
    expect(typeof tokenBody.c_nonce).toBe('string');
    const claims = decodeJwt(tokenBody.access_token as string);
    // RFC 9068 §2.1: a JWT access token's `typ` is `at+jwt`.
    expect(decodeProtectedHeader(tokenBody.access_token as string).typ).toBe('at+jwt');
    expect(claims.iss).toBe(issuer.url);
    expect(claims.aud).toBe(issuer.url);
    // An anonymous wallet; never equal to the subject (admin calls need sub = client_id).
    expect(claims.client_id).toBe('wallet:anonymous');
    expect(claims.sub).toMatch(/^offer:/);

    // The credential carries the offered claims, and the token works with credential_identifier.
    const holder = await newHolder();
    const [proof] = await proofsFor(issuer.url, [holder]);
    const credential = await postCredential(
      issuer.url,
      { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: [proof] } },
      tokenBody.access_token as string,
    );
    expect(credential.status).toBe(200);
    const [first] = (credential.body?.credentials ?? []) as { credential: string }[];
    const issued = decodeJwt(first?.credential ?? '');
    expect(issued.given_name).toBe('Amara');
    expect(issued.address).toEqual({ locality: 'Lomé' });

    // Single use: the code and the by-reference document are gone.
    expectError(
      await redeem(issuer.url, grant['pre-authorized_code'], created.tx_code),
      400,
      'invalid_grant',
    );
    expect((await http(created.credential_offer_uri)).status).toBe(404);
  });

  it('accepts the configuration id as well as the issued identifier; an unknown identifier is unknown_credential_identifier', async () => {
    const created = (await createOffer(issuer.url, OFFER)).body as unknown as OfferView;
    const token = await redeem(
      issuer.url,
      grantOf(created.credential_offer)['pre-authorized_code'],
      created.tx_code,
    );
    const [proof] = await proofsFor(issuer.url, [await newHolder()]);
    const access = token.body?.access_token as string;
    const byId = await postCredential(
      issuer.url,
      { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: [proof] } },
      access,
    );
    expect(byId.status).toBe(200);
    expectError(
      await postCredential(issuer.url, { credential_identifier: 'other', proofs: { jwt: [proof] } }, access),
      400,
      'unknown_credential_identifier',
    );
  });

  it('a wrong transaction code is invalid_grant, and attempts are limited', async () => {
    const created = (await createOffer(issuer.url, OFFER)).body as unknown as OfferView;
    const code = grantOf(created.credential_offer)['pre-authorized_code'];
    const wrong = created.tx_code === '000000' ? '111111' : '000000';
    expectError(await redeem(issuer.url, code, wrong), 400, 'invalid_grant');
    expectError(await redeem(issuer.url, code), 400, 'invalid_grant');
    expectError(await redeem(issuer.url, code, wrong), 400, 'invalid_grant');
    // Three attempts were allowed: now even the right code fails.
    expectError(await redeem(issuer.url, code, created.tx_code), 400, 'invalid_grant');
  });

  it('a wrong or expired code is invalid_grant; other grants and missing codes are refused', async () => {
    expectError(await redeem(issuer.url, 'not-a-code', '123456'), 400, 'invalid_grant');
    const shortLived = (await createOffer(issuer.url, { ...OFFER, expires_in: 30 })).body as Record<
      string,
      string
    > & {
      credential_offer: Record<string, unknown>;
    };
    await issuer.db
      .updateTable('issuer_offers' as never)
      .set({ expires_at: Date.now() - 1 } as never)
      .where('id' as never, '=', shortLived.id as never)
      .execute();
    expectError(
      await redeem(
        issuer.url,
        grantOf(shortLived.credential_offer)['pre-authorized_code'],
        shortLived.tx_code,
      ),
      400,
      'invalid_grant',
    );
    const other = await http(`${issuer.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expectError(other, 400, 'unsupported_grant_type');
    const missing = await http(`${issuer.url}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `grant_type=${encodeURIComponent(PRE_AUTH)}`,
    });
    expectError(missing, 400, 'invalid_request');
  });

  it('an authorization code offer carries issuer_state for the authorization server', async () => {
    const created = (
      await createOffer(issuer.url, {
        credential_configuration_ids: ['national_id_sd_jwt'],
        subject: '5102030400',
        grants: { authorization_code: {} },
      })
    ).body as unknown as { id: string; credential_offer: { grants: Record<string, Record<string, string>> } };
    const grant = created.credential_offer.grants.authorization_code as Record<string, string>;
    expect(grant.issuer_state).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(grant.authorization_server).toBe(issuer.config.issuer.authorizationServers[0]);
    expect(created.credential_offer.grants[PRE_AUTH]).toBeUndefined();
    const row = await issuer.db
      .selectFrom('issuer_offers' as never)
      .select('id' as never)
      .where('issuer_state' as never, '=', grant.issuer_state as never)
      .executeTakeFirst();
    expect(row).toEqual({ id: created.id });
  });
});

describe('issuer_state carried by the token of a configured authorization server', () => {
  let other: ProtocolIssuer;
  let as: ForeignAs;
  beforeAll(async () => {
    const prepared = await testConfig({ services: ['issuer'] });
    as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
    other = await startProtocolIssuer({ prepared, authorizationServers: [as.url] });
  });
  afterAll(async () => {
    await other?.stop();
    await as?.stop();
  });

  it('applies the offer claims for the named subject only, and not once the offer expired', async () => {
    const created = (
      await createOffer(other.url, {
        credential_configuration_ids: ['national_id_sd_jwt'],
        subject: '5102030400',
        claims: { given_name: 'Offered', nationalities: ['TG'] },
        grants: { authorization_code: {} },
      })
    ).body as unknown as {
      id: string;
      credential_offer: { grants: { authorization_code: { issuer_state: string } } };
    };
    const issuerState = created.credential_offer.grants.authorization_code.issuer_state;
    const ask = async (claims: Record<string, unknown>) => {
      const [proof] = await proofsFor(other.url, [await newHolder()]);
      return postCredential(
        other.url,
        { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: [proof] } },
        await as.mint({ claims }),
      );
    };
    const mine = await ask({ issuer_state: issuerState });
    expect(mine.status).toBe(200);
    expect(other.issuance.requests.at(-1)?.offeredClaims).toEqual({
      given_name: 'Offered',
      nationalities: ['TG'],
    });
    expectError(
      await ask({ issuer_state: issuerState, sub: '9999999999' }),
      400,
      'invalid_credential_request',
    );
    // Without issuer_state, the data provider answers (no offered claims).
    expect((await ask({})).status).toBe(200);
    expect(other.issuance.requests.at(-1)?.offeredClaims).toBeUndefined();
    await other.db
      .updateTable('issuer_offers' as never)
      .set({ expires_at: Date.now() - 1 } as never)
      .where('id' as never, '=', created.id as never)
      .execute();
    expectError(await ask({ issuer_state: issuerState }), 400, 'invalid_credential_request');
  });
});
