import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { AMARA, authorize, authzForFile, discoverAsPortal, generateClientKey } from './helpers.js';

const authz = authzForFile();

const redirectUri = () => authz.config.authz.clients[0]?.redirect_uris[0] ?? '';
const resource = () => authz.config.authz.resources[0]?.identifier ?? '';

async function codeRun(params: Record<string, string> = {}) {
  const run = await authorize(authz.config, authz.rp, AMARA, params);
  expect(run.url.searchParams.get('code')).toBeTruthy();
  return run;
}

/** The protocol error a token request failed with (RFC 6749 §5.2), from openid-client's error. */
async function tokenError(promise: Promise<unknown>): Promise<{ error: string; status: number }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof client.ResponseBodyError) return { error: error.error, status: error.status };
    throw error;
  }
  throw new Error('the token request succeeded');
}

describe('authorization request errors (sent back to the client)', () => {
  it('requires PKCE: a request without code_challenge gets invalid_request and no code', async () => {
    const run = await authorize(authz.config, authz.rp, AMARA, {
      code_challenge: '',
      code_challenge_method: '',
    });
    expect(run.url.href.startsWith(redirectUri())).toBe(true);
    expect(run.url.searchParams.get('error')).toBe('invalid_request');
    expect(run.url.searchParams.get('error_description')).toMatch(/PKCE/);
    expect(run.url.searchParams.get('code')).toBeNull();
  });

  it('refuses the `plain` code_challenge_method', async () => {
    const verifier = client.randomPKCECodeVerifier();
    const run = await authorize(authz.config, authz.rp, AMARA, {
      code_challenge: verifier,
      code_challenge_method: 'plain',
    });
    expect(run.url.searchParams.get('error')).toBe('invalid_request');
    expect(run.url.searchParams.get('code')).toBeNull();
  });

  it('refuses an unknown resource indicator with invalid_target (RFC 8707 §2)', async () => {
    const run = await authorize(authz.config, authz.rp, AMARA, { resource: 'https://elsewhere.example' });
    expect(run.url.searchParams.get('error')).toBe('invalid_target');
    expect(run.url.searchParams.get('code')).toBeNull();
  });

  it('refuses a redirect_uri the client did not register, without redirecting', async () => {
    const run = await authorize(authz.config, authz.rp, AMARA, { redirect_uri: 'http://localhost:1/evil' });
    expect(run.response.status).toBe(400);
    expect(run.url.origin).toBe(authz.config.authz.publicUrl);
    expect(await run.response.text()).toContain('redirect_uri');
  });
});

describe('token endpoint', () => {
  it('redeems a code once: reuse gets invalid_grant', async () => {
    const run = await codeRun();
    const checks = { pkceCodeVerifier: run.codeVerifier, expectedState: run.state };
    const tokens = await client.authorizationCodeGrant(authz.rp, run.url, checks, { resource: resource() });
    expect(tokens.access_token).toBeTruthy();
    const again = await tokenError(
      client.authorizationCodeGrant(authz.rp, run.url, checks, { resource: resource() }),
    );
    expect(again).toEqual({ error: 'invalid_grant', status: 400 });
  });

  it('rejects a wrong code_verifier with invalid_grant', async () => {
    const run = await codeRun();
    const result = await tokenError(
      client.authorizationCodeGrant(
        authz.rp,
        run.url,
        { pkceCodeVerifier: client.randomPKCECodeVerifier(), expectedState: run.state },
        { resource: resource() },
      ),
    );
    expect(result).toEqual({ error: 'invalid_grant', status: 400 });
  });

  it('rejects a missing code_verifier with invalid_grant', async () => {
    const run = await codeRun();
    const code = run.url.searchParams.get('code') ?? '';
    const result = await tokenError(
      client.genericGrantRequest(authz.rp, 'authorization_code', {
        code,
        redirect_uri: redirectUri(),
        resource: resource(),
      }),
    );
    expect(result).toEqual({ error: 'invalid_grant', status: 400 });
  });

  it('rejects a client assertion signed by a key the client did not publish (invalid_client)', async () => {
    const run = await codeRun();
    const impostor = await discoverAsPortal(authz.config, await generateClientKey());
    const result = await tokenError(
      client.authorizationCodeGrant(
        impostor,
        run.url,
        { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
        { resource: resource() },
      ),
    );
    expect(result).toEqual({ error: 'invalid_client', status: 401 });
    // The code was not spent by the failed attempt: the real client can still redeem it.
    const tokens = await client.authorizationCodeGrant(
      authz.rp,
      run.url,
      { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
      { resource: resource() },
    );
    expect(tokens.access_token).toBeTruthy();
  });

  it('rejects a token request for a resource that was not granted (invalid_target)', async () => {
    const run = await codeRun();
    const result = await tokenError(
      client.authorizationCodeGrant(
        authz.rp,
        run.url,
        { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
        { resource: 'https://elsewhere.example' },
      ),
    );
    expect(result.error).toBe('invalid_target');
  });
});
