import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, type JWK, SignJWT } from 'jose';
import * as client from 'openid-client';
import type { Config } from '../src/platform/config/index.js';
import {
  AMARA,
  authorize,
  discoverAsPortal,
  generateClientKey,
  serveClientJwks,
} from '../test/authz/helpers.js';

export interface Holder {
  privateKey: KeyObject;
  publicJwk: JWK;
}

/** Real access tokens: each one a full login flow at authz (authorize → login form → code → token). */
export async function obtainAccessTokens(config: Config, count: number) {
  const clientKey = await generateClientKey();
  const jwksServer = await serveClientJwks(config, [clientKey.publicJwk]);
  const rp = await discoverAsPortal(config, clientKey);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const run = await authorize(config, rp, AMARA);
    const response = await client.authorizationCodeGrant(
      rp,
      run.url,
      { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
      { resource: config.issuer.publicUrl },
    );
    tokens.push(response.access_token);
  }
  return { tokens, rp, clientKey, jwksServer };
}

export async function newHolders(count: number): Promise<Holder[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return { privateKey, publicJwk: await exportJWK(publicKey) };
    }),
  );
}

export async function fetchNonces(issuer: string, count: number, concurrency = 16): Promise<string[]> {
  const nonces: string[] = [];
  const worker = async () => {
    while (nonces.length < count) {
      const response = await fetch(`${issuer}/nonce`, { method: 'POST' });
      nonces.push(((await response.json()) as { c_nonce: string }).c_nonce);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return nonces.slice(0, count);
}

/** An OpenID4VCI 1.0 Appendix F.1 key proof, as a wallet signs it. */
export function signProof(holder: Holder, issuer: string, nonce: string): Promise<string> {
  return new SignJWT({ nonce })
    .setProtectedHeader({ typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: holder.publicJwk })
    .setAudience(issuer)
    .setIssuedAt()
    .sign(holder.privateKey);
}
