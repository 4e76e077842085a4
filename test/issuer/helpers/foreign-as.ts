import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export interface TokenOptions {
  /** Claims merged over the defaults (`undefined` removes one). */
  claims?: Record<string, unknown>;
  /** Header `typ` (default `at+jwt`). */
  typ?: string;
  /** Sign with a key that is not in the published JWKS. */
  unpublishedKey?: boolean;
}

export interface ForeignAs {
  /** The issuer identifier, e.g. http://127.0.0.1:41234 */
  url: string;
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  mint(options?: TokenOptions): Promise<string>;
  /** Publishes a new signing key beside the old one and signs new tokens with it. */
  rotate(): Promise<void>;
  stop(): Promise<void>;
}

interface Key {
  privateKey: CryptoKey;
  jwk: JWK;
}

async function newKey(): Promise<Key> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const jwk = await exportJWK(publicKey);
  return { privateKey, jwk: { ...jwk, kid: await calculateJwkThumbprint(jwk), alg: 'ES256', use: 'sig' } };
}

/**
 * A minimal third-party OAuth authorization server on loopback: it publishes RFC 8414 metadata
 * (or only OIDC discovery) and a JWKS, and mints RFC 9068 access tokens with jose. The issuer must
 * accept its tokens without knowing anything about it beyond its identifier.
 */
export async function startForeignAs(options: {
  audience: string;
  discovery?: 'oauth' | 'openid';
  /** Metadata that names another issuer than the server's own URL (a mix-up attempt). */
  claimedIssuer?: string;
}): Promise<ForeignAs> {
  let key = await newKey();
  const published = [key.jwk];
  const stranger = await newKey();
  let url = '';
  const state = { jwksFetches: 0 };
  const server: Server = createServer((request, response) => {
    const send = (status: number, body: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const metadata = {
      issuer: options.claimedIssuer ?? url,
      jwks_uri: `${url}/jwks`,
      token_endpoint: `${url}/token`,
    };
    const discovery = options.discovery ?? 'oauth';
    if (request.url === '/.well-known/oauth-authorization-server' && discovery === 'oauth')
      return send(200, metadata);
    if (request.url === '/.well-known/openid-configuration' && discovery === 'openid')
      return send(200, metadata);
    if (request.url === '/jwks') {
      state.jwksFetches++;
      return send(200, { keys: published });
    }
    return send(404, { error: 'not_found' });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    url,
    get jwksFetches() {
      return state.jwksFetches;
    },
    async mint(tokenOptions: TokenOptions = {}) {
      const signer = tokenOptions.unpublishedKey ? stranger : key;
      const now = Math.floor(Date.now() / 1000);
      const claims: Record<string, unknown> = {
        iss: url,
        aud: options.audience,
        sub: '5102030400',
        scope: 'openid national_id',
        client_id: 'wallet',
        iat: now,
        exp: now + 300,
        jti: randomUUID(),
        ...tokenOptions.claims,
      };
      for (const [name, value] of Object.entries(claims)) if (value === undefined) delete claims[name];
      return new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: tokenOptions.typ ?? 'at+jwt', kid: signer.jwk.kid })
        .sign(signer.privateKey);
    },
    async rotate() {
      key = await newKey();
      published.push(key.jwk);
    },
    stop: () => new Promise<void>((resolve, reject) => server.close((e) => (e ? reject(e) : resolve()))),
  };
}
