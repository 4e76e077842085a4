import { OpenID4VCIClient } from '@sphereon/oid4vci-client';
import { decodeJwt, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { OfferView } from '../../../src/issuer/offers/create.js';
import {
  createOffer,
  expectError,
  http,
  postCredential,
  preAuthorizedCode,
  redeem,
} from '../helpers/protocol-client.js';
import { protocolIssuerForFile } from '../helpers/protocol-issuer.js';
import { newHolder, proofJwt } from '../helpers/wallet.js';

const issuer = protocolIssuerForFile();

const OFFER = {
  credential_configuration_ids: ['national_id_sd_jwt'],
  claims: { given_name: 'Amara', nationalities: ['TG'] },
  draft13: true,
};

describe('the draft-13 view', () => {
  it('serves draft-13 metadata at its own identifier (appended and inserted well-known)', async () => {
    for (const path of [
      '/draft13/.well-known/openid-credential-issuer',
      '/.well-known/openid-credential-issuer/draft13',
    ]) {
      const result = await http(`${issuer.url}${path}`);
      expect(result.status).toBe(200);
      expect(result.headers.get('access-control-allow-origin')).toBe('*');
      const metadata = result.body as Record<string, unknown>;
      expect(metadata.credential_issuer).toBe(`${issuer.url}/draft13`);
      expect(metadata.token_endpoint).toBe(`${issuer.url}/token`);
      expect(metadata.credential_endpoint).toBe(`${issuer.url}/credential`);
      expect(metadata.nonce_endpoint).toBeUndefined();
      const entry = (metadata.credential_configurations_supported as Record<string, Record<string, unknown>>)
        .national_id_sd_jwt as Record<string, unknown>;
      expect(entry.format).toBe('vc+sd-jwt');
      expect(entry.vct).toBe('urn:attesta:credential:national-id:1');
      expect(entry.display).toEqual(
        expect.arrayContaining([expect.objectContaining({ name: 'National ID', locale: 'en' })]),
      );
      // Draft 13 claims are a tree, not a list of paths.
      expect(entry.claims).toMatchObject({
        given_name: { display: [{ name: 'Given name', locale: 'en' }] },
        address: { locality: { display: [{ name: 'Locality', locale: 'en' }] } },
        nationalities: { mandatory: true },
      });
    }
  });

  it('answers a draft-13 request (format + vct + proof) with credential and c_nonce', async () => {
    const created = await createOffer(issuer.url, OFFER);
    const token = await redeem(issuer.url, preAuthorizedCode(created));
    expect(typeof token.body?.c_nonce).toBe('string');
    const holder = await newHolder();
    const proof = await proofJwt(holder, {
      audience: `${issuer.url}/draft13`,
      nonce: token.body?.c_nonce as string,
    });
    const body = {
      format: 'vc+sd-jwt',
      vct: 'urn:attesta:credential:national-id:1',
      proof: { proof_type: 'jwt', jwt: proof },
    };
    const result = await postCredential(issuer.url, body, token.body?.access_token as string);
    expect(result.status).toBe(200);
    expect(typeof result.body?.credential).toBe('string');
    // The 1.0 members are there too (ignored by a draft-13 wallet).
    expect(result.body?.credentials).toEqual([{ credential: result.body?.credential }]);
    expect(typeof result.body?.c_nonce).toBe('string');
    expect(result.body?.c_nonce_expires_in).toBe(issuer.config.issuer.nonceTtl);
    expect(decodeJwt(result.body?.credential as string).given_name).toBe('Amara');

    // The c_nonce of the response is good for the next request; an error carries a fresh one.
    const reused = await postCredential(issuer.url, body, token.body?.access_token as string);
    expectError(reused, 400, 'invalid_nonce');
    expect(typeof reused.body?.c_nonce).toBe('string');
    const next = await proofJwt(holder, {
      audience: `${issuer.url}/draft13`,
      nonce: reused.body?.c_nonce as string,
    });
    const again = await postCredential(
      issuer.url,
      { ...body, proof: { proof_type: 'jwt', jwt: next } },
      token.body?.access_token as string,
    );
    expect(again.status).toBe(200);
  });

  it('refuses an unknown format or type with the draft-13 codes', async () => {
    const created = await createOffer(issuer.url, OFFER);
    const token = (await redeem(issuer.url, preAuthorizedCode(created))).body?.access_token as string;
    const proof = await proofJwt(await newHolder(), { audience: issuer.url, nonce: 'x' });
    expectError(
      await postCredential(issuer.url, { format: 'fancy', proof: { proof_type: 'jwt', jwt: proof } }, token),
      400,
      'unsupported_credential_format',
    );
    expectError(
      await postCredential(
        issuer.url,
        { format: 'vc+sd-jwt', vct: 'urn:other', proof: { proof_type: 'jwt', jwt: proof } },
        token,
      ),
      400,
      'unsupported_credential_type',
    );
  });

  it('works with a draft-13 wallet library (@sphereon/oid4vci-client): offer by reference, tx_code, credential', async () => {
    const created = await createOffer(issuer.url, {
      ...OFFER,
      grants: { pre_authorized_code: { tx_code: { length: 4, input_mode: 'numeric' } } },
    });
    const view = created.body as unknown as OfferView;
    const holder = await newHolder();
    const client = await OpenID4VCIClient.fromURI({
      uri: view.offer_uri_by_reference,
      kid: `did:jwk:${Buffer.from(JSON.stringify(holder.publicJwk)).toString('base64url')}#0`,
      alg: 'ES256',
      clientId: 'draft13-wallet',
      retrieveServerMetadata: true,
    });
    expect(client.getIssuer()).toBe(`${issuer.url}/draft13`);
    const token = await client.acquireAccessToken({ pin: view.tx_code });
    expect(token.access_token).toBeTruthy();
    const response = await client.acquireCredentials({
      credentialTypes: 'urn:attesta:credential:national-id:1',
      format: 'vc+sd-jwt',
      alg: 'ES256',
      kid: `did:jwk:${Buffer.from(JSON.stringify(holder.publicJwk)).toString('base64url')}#0`,
      proofCallbacks: {
        signCallback: async (jwt) =>
          new SignJWT(jwt.payload as Record<string, unknown>)
            .setProtectedHeader({ ...(jwt.header as Record<string, unknown>), alg: 'ES256' })
            .sign(holder.privateKey),
      },
    });
    const { credentials } = response as { credentials?: { credential: unknown }[] };
    const credential = credentials?.[0]?.credential;
    expect(typeof credential).toBe('string');
    expect(decodeJwt(credential as string).cnf).toEqual({ jwk: holder.publicJwk });
  });
});
