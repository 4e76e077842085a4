import { createHash, randomUUID } from 'node:crypto';
import { type CryptoKey, calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { ADMIN_TOKEN } from './protocol-issuer.js';
import { type Holder, proofJwt } from './wallet.js';

export const PRE_AUTH = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown> | undefined;
}

export async function http(url: string, init: RequestInit = {}): Promise<HttpResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Record<string, unknown> | undefined;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

export async function freshNonce(issuer: string): Promise<string> {
  return ((await http(`${issuer}/nonce`, { method: 'POST' })).body as { c_nonce: string }).c_nonce;
}

export async function createOffer(issuer: string, body: Record<string, unknown>): Promise<HttpResult> {
  return http(`${issuer}/admin/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_TOKEN}` },
    body: JSON.stringify(body),
  });
}

export async function redeem(
  issuer: string,
  code: string,
  txCode?: string,
  headers: Record<string, string> = {},
): Promise<HttpResult> {
  const form = new URLSearchParams({ grant_type: PRE_AUTH, 'pre-authorized_code': code });
  if (txCode !== undefined) form.set('tx_code', txCode);
  return http(`${issuer}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: form,
  });
}

export interface DpopKey {
  privateKey: CryptoKey;
  publicJwk: JWK;
  jkt: string;
}

export async function newDpopKey(): Promise<DpopKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256');
  const publicJwk = await exportJWK(publicKey);
  return { privateKey, publicJwk, jkt: await calculateJwkThumbprint(publicJwk) };
}

/** An RFC 9449 DPoP proof; `claims` override (undefined removes), `header` likewise. */
export async function dpopProof(
  key: DpopKey,
  htm: string,
  htu: string,
  options: {
    accessToken?: string;
    claims?: Record<string, unknown>;
    header?: Record<string, unknown>;
    signWith?: CryptoKey;
  } = {},
): Promise<string> {
  const claims: Record<string, unknown> = {
    htm,
    htu,
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    ...(options.accessToken
      ? { ath: createHash('sha256').update(options.accessToken).digest('base64url') }
      : {}),
    ...options.claims,
  };
  const header: Record<string, unknown> = {
    typ: 'dpop+jwt',
    alg: 'ES256',
    jwk: key.publicJwk,
    ...options.header,
  };
  for (const o of [claims, header]) for (const [k, v] of Object.entries(o)) if (v === undefined) delete o[k];
  return new SignJWT(claims)
    .setProtectedHeader(header as { alg: string })
    .sign(options.signWith ?? key.privateKey);
}

export async function postCredential(
  issuer: string,
  body: unknown,
  token: string | undefined,
  options: { scheme?: string; headers?: Record<string, string>; path?: string; contentType?: string } = {},
): Promise<HttpResult> {
  return http(`${issuer}${options.path ?? '/credential'}`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(token ? { authorization: `${options.scheme ?? 'Bearer'} ${token}` } : {}),
      ...options.headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

export async function proofsFor(issuer: string, holders: Holder[], audience = issuer): Promise<string[]> {
  return Promise.all(holders.map(async (h) => proofJwt(h, { audience, nonce: await freshNonce(issuer) })));
}

export function expectError(result: HttpResult, status: number, error: string): void {
  if (result.status !== status || result.body?.error !== error) {
    throw new Error(`expected ${status} ${error}, got ${result.status} ${result.text}`);
  }
}

/** The pre-authorized code of a created offer (admin API answer). */
export function preAuthorizedCode(created: HttpResult): string {
  const offer = (created.body?.credential_offer ?? {}) as { grants?: Record<string, Record<string, string>> };
  const code = offer.grants?.[PRE_AUTH]?.['pre-authorized_code'];
  if (!code) throw new Error(`no pre-authorized code in ${created.text}`);
  return code;
}

/** An access token from a fresh pre-authorized offer (claims fixed), Bearer unless headers add DPoP. */
export async function preAuthorizedToken(
  issuer: string,
  headers: Record<string, string> = {},
): Promise<string> {
  const created = await createOffer(issuer, {
    credential_configuration_ids: ['national_id_sd_jwt'],
    claims: { given_name: 'Amara', nationalities: ['TG'] },
  });
  const token = await redeem(issuer, preAuthorizedCode(created), undefined, headers);
  if (token.status !== 200) throw new Error(`token: ${token.text}`);
  return token.body?.access_token as string;
}
