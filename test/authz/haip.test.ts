import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type ProtocolAuthz,
  RP_REDIRECT,
  rpFor,
  serverMetadata,
  signInWithRequestUri,
  startProtocolAuthz,
} from './protocol-setup.js';

/**
 * HAIP mode at authz (OpenID4VC High Assurance Interoperability Profile 1.0 §4: PAR, PKCE S256,
 * DPoP-bound tokens, ES256): the `rp` test client is registered WITHOUT require_pushed_authorization_requests
 * and WITHOUT dpop_bound_access_tokens, so what it is refused with `haip: true` comes from the switch;
 * the same requests with the switch off are accepted. Expected errors are the RFCs' own.
 */
const modes = { on: undefined as unknown as ProtocolAuthz, off: undefined as unknown as ProtocolAuthz };

beforeAll(async () => {
  modes.on = await startProtocolAuthz({ haip: true });
  modes.off = await startProtocolAuthz();
}, 60_000);
afterAll(async () => {
  await modes.on?.stop();
  await modes.off?.stop();
});

const issuerOf = (setup: ProtocolAuthz) => setup.authz.config.authz.publicUrl;
const resourceOf = (setup: ProtocolAuthz) => setup.authz.config.authz.resources[0]?.identifier ?? '';

async function params(setup: ProtocolAuthz, verifier: string, extra: Record<string, string> = {}) {
  return {
    redirect_uri: RP_REDIRECT,
    scope: 'openid national_id',
    code_challenge: await client.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    resource: resourceOf(setup),
    ...extra,
  };
}

/** PAR (optionally with a DPoP proof) → sign-in → the code at the callback. */
async function codeViaPar(setup: ProtocolAuthz, dpop?: client.DPoPHandle) {
  const verifier = client.randomPKCECodeVerifier();
  const parUrl = await client.buildAuthorizationUrlWithPAR(
    setup.rp,
    await params(setup, verifier),
    dpop ? { DPoP: dpop } : undefined,
  );
  const run = await signInWithRequestUri(setup.authz.config, setup.rp, parUrl);
  expect(run.url.searchParams.get('code')).toBeTruthy();
  return { run, verifier };
}

/** The code exchanged (with a DPoP proof or none); a nonce challenge (RFC 9449 §8) is answered once. */
async function exchange(setup: ProtocolAuthz, run: { url: URL }, verifier: string, dpop?: client.DPoPHandle) {
  const grant = () =>
    client
      .authorizationCodeGrant(
        setup.rp,
        run.url,
        { pkceCodeVerifier: verifier },
        { resource: resourceOf(setup) },
        dpop ? { DPoP: dpop } : undefined,
      )
      .catch((e: unknown) => e as client.ResponseBodyError);
  let result = await grant();
  if (result instanceof client.ResponseBodyError && result.error === 'use_dpop_nonce') result = await grant();
  return result;
}

/** A plain (front-channel) authorization request: where authz sends the browser. */
async function frontChannel(setup: ProtocolAuthz, extra: Record<string, string> = {}) {
  const url = client.buildAuthorizationUrl(
    setup.rp,
    await params(setup, client.randomPKCECodeVerifier(), extra),
  );
  const response = await fetch(url, { redirect: 'manual' });
  const location = response.headers.get('location');
  return { status: response.status, location: location ? new URL(location, issuerOf(setup)) : undefined };
}

const dpopHandle = async (setup: ProtocolAuthz, alg = 'ES256') =>
  client.getDPoPHandle(setup.rp, await client.randomDPoPKeyPair(alg));

async function parError(setup: ProtocolAuthz, extra: Record<string, string>, dpop?: client.DPoPHandle) {
  return client
    .buildAuthorizationUrlWithPAR(
      setup.rp,
      await params(setup, client.randomPKCECodeVerifier(), extra),
      dpop ? { DPoP: dpop } : undefined,
    )
    .then(
      () => undefined,
      (e: unknown) => e as client.ResponseBodyError,
    );
}

describe('HAIP mode (haip: true) at authz', () => {
  it('happy path first: PAR with DPoP, sign-in, code exchanged with DPoP → a DPoP-bound token', async () => {
    const dpop = await dpopHandle(modes.on);
    const { run, verifier } = await codeViaPar(modes.on, dpop);
    const tokens = await exchange(modes.on, run, verifier, dpop);
    expect(tokens).not.toBeInstanceOf(Error);
    expect((tokens as client.TokenEndpointResponse).token_type.toLowerCase()).toBe('dpop');
  });

  it('discovery says PAR is required and DPoP is ES256 only (RFC 9126 §5, RFC 9449 §5.1)', async () => {
    const metadata = (await (
      await fetch(`${issuerOf(modes.on)}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(metadata.require_pushed_authorization_requests).toBe(true);
    expect(metadata.dpop_signing_alg_values_supported).toEqual(['ES256']);
    expect(metadata.code_challenge_methods_supported).toEqual(['S256']);
  });

  it('an authorization request that was not pushed is refused with invalid_request (RFC 9126 §5)', async () => {
    const result = await frontChannel(modes.on);
    // Back to the client's redirect_uri with the error, never on to a sign-in page.
    expect(result.status).toBe(303);
    expect(result.location?.origin + (result.location?.pathname ?? '')).toBe(RP_REDIRECT);
    expect(result.location?.searchParams.get('error')).toBe('invalid_request');
    expect(result.location?.searchParams.get('code')).toBeNull();
  });

  it('a code exchanged without a DPoP proof is refused with invalid_grant: no Bearer token is issued', async () => {
    const { run, verifier } = await codeViaPar(modes.on);
    const result = await exchange(modes.on, run, verifier);
    expect(result).toBeInstanceOf(client.ResponseBodyError);
    expect((result as client.ResponseBodyError).error).toBe('invalid_grant');
  });

  it('an EdDSA DPoP proof is refused with invalid_dpop_proof', async () => {
    const error = await parError(modes.on, {}, await dpopHandle(modes.on, 'EdDSA'));
    expect(error?.error).toBe('invalid_dpop_proof');
  });

  it('a service client (client_credentials only) still gets its token without DPoP: HAIP covers the wallet flows', async () => {
    const server = await serverMetadata(modes.on.authz.config);
    const admin = rpFor(server, 'admin', modes.on.clients.admin.key);
    const tokens = await client.clientCredentialsGrant(admin, { scope: 'authz:admin' });
    expect(tokens.token_type.toLowerCase()).toBe('bearer');
  });

  it('plain PKCE is refused with invalid_request', async () => {
    const error = await parError(modes.on, { code_challenge_method: 'plain' });
    expect(error?.error).toBe('invalid_request');
  });
});

describe('the same client with the switch off (haip: false)', () => {
  it('a front-channel authorization request goes on to sign-in', async () => {
    const result = await frontChannel(modes.off);
    expect(result.status).toBe(303);
    expect(result.location?.pathname).toMatch(/^\/interaction\//);
  });

  it('a code exchanged without DPoP gets a Bearer token', async () => {
    const { run, verifier } = await codeViaPar(modes.off);
    const tokens = await exchange(modes.off, run, verifier);
    expect(tokens).not.toBeInstanceOf(Error);
    expect((tokens as client.TokenEndpointResponse).token_type.toLowerCase()).toBe('bearer');
  });

  it('an EdDSA DPoP proof is accepted', async () => {
    expect(await parError(modes.off, {}, await dpopHandle(modes.off, 'EdDSA'))).toBeUndefined();
  });

  it('discovery does not require PAR', async () => {
    const metadata = (await (
      await fetch(`${issuerOf(modes.off)}/.well-known/openid-configuration`)
    ).json()) as Record<string, unknown>;
    expect(metadata.require_pushed_authorization_requests).not.toBe(true);
    expect(metadata.dpop_signing_alg_values_supported).toContain('EdDSA');
  });

  it('plain PKCE is refused here too: PKCE S256 holds for every client without the switch (RFC 9700 §2.1.1)', async () => {
    expect((await parError(modes.off, { code_challenge_method: 'plain' }))?.error).toBe('invalid_request');
  });
});
