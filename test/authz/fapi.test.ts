import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { FAPI_REDIRECT, protocolAuthzForFile, RP_REDIRECT, signInWithRequestUri } from './protocol-setup.js';

/** Negative checks after the FAPI 2.0 conformance modules, on pushed authorization requests. */
const setup = protocolAuthzForFile();

const issuer = () => setup.authz.config.authz.publicUrl;

async function parParams(extra: Record<string, string> = {}) {
  return {
    redirect_uri: FAPI_REDIRECT,
    scope: 'openid',
    code_challenge: await client.calculatePKCECodeChallenge(client.randomPKCECodeVerifier()),
    code_challenge_method: 'S256',
    ...extra,
  };
}

const dpopFor = async (config: client.Configuration) =>
  client.getDPoPHandle(config, await client.randomDPoPKeyPair('ES256'));

/** The error a pushed authorization request was refused with (RFC 9126 §2.3). */
async function parError(params: Record<string, string>, config = setup.fapi) {
  const error = await client
    .buildAuthorizationUrlWithPAR(config, params, { DPoP: await dpopFor(config) })
    .then(
      () => {
        throw new Error('the pushed request was accepted');
      },
      (e: unknown) => e as client.ResponseBodyError,
    );
  return { error: error.error, status: error.status, description: error.error_description };
}

describe('pushed authorization requests (RFC 9126)', () => {
  it('refuses an unregistered redirect_uri at the PAR endpoint', async () => {
    const result = await parError(await parParams({ redirect_uri: 'http://localhost:9/evil' }));
    expect(result.status).toBe(400);
    expect(result.error).toBe('invalid_request');
    expect(result.description).toMatch(/redirect_uri/);
  });

  it('refuses a request without PKCE and one with the plain method', async () => {
    const without = await parParams();
    const { code_challenge: _c, code_challenge_method: _m, ...rest } = without;
    expect((await parError(rest)).error).toBe('invalid_request');
    expect((await parError({ ...without, code_challenge_method: 'plain' })).error).toBe('invalid_request');
  });

  it('refuses response types other than code', async () => {
    expect((await parError(await parParams({ response_type: 'token' }))).error).toBe(
      'unsupported_response_type',
    );
  });

  it('requires client authentication at the PAR endpoint', async () => {
    const response = await fetch(`${issuer()}/request`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        client_id: 'fapi',
        response_type: 'code',
        ...(await parParams()),
      }).toString(),
    });
    expect(response.status).toBe(401);
    expect((await response.json()).error).toBe('invalid_client');
  });

  it('uses a request_uri once', async () => {
    const parUrl = await client.buildAuthorizationUrlWithPAR(setup.fapi, await parParams(), {
      DPoP: await dpopFor(setup.fapi),
    });
    const first = await signInWithRequestUri(setup.authz.config, setup.fapi, parUrl);
    expect(first.url.searchParams.get('code')).toBeTruthy();
    const again = await signInWithRequestUri(setup.authz.config, setup.fapi, parUrl);
    // The pushed request is gone: authz's error page, no redirect with its parameters.
    expect(again.response.status).toBe(400);
    expect(again.url.origin).toBe(issuer());
    expect(again.url.searchParams.get('code')).toBeNull();
  });

  it("refuses another client's request_uri", async () => {
    const parUrl = await client.buildAuthorizationUrlWithPAR(setup.fapi, await parParams(), {
      DPoP: await dpopFor(setup.fapi),
    });
    const stolen = await signInWithRequestUri(setup.authz.config, setup.rp, parUrl);
    expect(stolen.url.searchParams.get('code')).toBeNull();
    // rp's own callback or authz's error page, never the other client's redirect_uri.
    expect(stolen.url.href.startsWith(FAPI_REDIRECT)).toBe(false);
    if (stolen.url.href.startsWith(RP_REDIRECT)) {
      expect(stolen.url.searchParams.get('error')).toBe('invalid_request_uri');
    } else {
      expect(stolen.response.status).toBe(400);
    }
  });

  it('binds the code to the DPoP key named at PAR (dpop_jkt): another key cannot redeem it', async () => {
    const codeVerifier = client.randomPKCECodeVerifier();
    const dpop = await dpopFor(setup.fapi);
    const parUrl = await client.buildAuthorizationUrlWithPAR(
      setup.fapi,
      await parParams({ code_challenge: await client.calculatePKCECodeChallenge(codeVerifier) }),
      { DPoP: dpop },
    );
    const run = await signInWithRequestUri(setup.authz.config, setup.fapi, parUrl);
    // A fresh key: its first request is asked for a server nonce, the retry carries it.
    const otherKey = await dpopFor(setup.fapi);
    const redeem = (handle: client.DPoPHandle) =>
      client
        .authorizationCodeGrant(setup.fapi, run.url, { pkceCodeVerifier: codeVerifier }, undefined, {
          DPoP: handle,
        })
        .catch((e: unknown) => e as client.ResponseBodyError);
    let error = await redeem(otherKey);
    if ((error as client.ResponseBodyError).error === 'use_dpop_nonce') error = await redeem(otherKey);
    expect(error).toBeInstanceOf(client.ResponseBodyError);
    expect((error as client.ResponseBodyError).error).toBe('invalid_grant');
    // That attempt spent the code: the right key cannot redeem it afterwards either.
    const retry = await redeem(dpop);
    expect((retry as client.ResponseBodyError).error).toBe('invalid_grant');
  });
});
