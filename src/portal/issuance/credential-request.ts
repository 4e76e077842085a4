import type { Config } from '../../platform/config/index.js';
import type { IssuerCatalog } from '../catalog/issuer-metadata.js';
import { UpstreamError } from '../errors.js';
import { type HttpResult, request, requireSecureUrl } from '../http.js';
import { dpopProof } from './dpop.js';

/** The access token and how it is presented: Bearer (RFC 6750) or DPoP-bound (RFC 9449 §7.1). */
export interface AccessGrant {
  accessToken: string;
  dpop?: CryptoKeyPair;
}

function errorCode(response: HttpResult): string {
  const body = response.json as { error?: unknown } | undefined;
  if (typeof body?.error === 'string') return body.error;
  // RFC 6750 §3: a rejected token is described in WWW-Authenticate, often with no body.
  const challenge = response.headers.get('www-authenticate') ?? '';
  const match = /error="?([A-Za-z0-9_.-]+)"?/.exec(challenge);
  return match?.[1] ?? `http_${response.status}`;
}

/** A fresh `c_nonce` from the Nonce Endpoint (OpenID4VCI 1.0 §7); undefined when there is none. */
export async function fetchNonce(config: Config, catalog: IssuerCatalog): Promise<string | undefined> {
  if (!catalog.nonceEndpoint) return undefined;
  const url = requireSecureUrl(config, catalog.nonceEndpoint, 'nonce');
  const response = await request('nonce', url, { method: 'POST' });
  const nonce = (response.json as { c_nonce?: unknown } | undefined)?.c_nonce;
  if (response.status !== 200) throw new UpstreamError('nonce', errorCode(response), 'nonce request failed');
  if (typeof nonce !== 'string' || !nonce) {
    throw new UpstreamError('nonce', 'invalid_response', 'no c_nonce in the nonce response');
  }
  return nonce;
}

export type CredentialOutcome =
  | { kind: 'issued'; credential: string }
  /** The proof's nonce was refused: try once more with this (or a freshly fetched) nonce. */
  | { kind: 'retry_nonce'; nonce: string | undefined };

/**
 * One Credential Request (OpenID4VCI 1.0 §8.2) with a `jwt` proof, and its response (§8.3): the
 * 1.0 `credentials` array or the draft-13 single `credential`.
 */
export async function requestCredential(
  config: Config,
  input: { catalog: IssuerCatalog; configurationId: string; grant: AccessGrant; proof: string },
): Promise<CredentialOutcome> {
  const url = requireSecureUrl(config, input.catalog.credentialEndpoint, 'credential');
  const { accessToken, dpop } = input.grant;
  const send = async (dpopNonce?: string) =>
    request('credential', url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(dpop
          ? {
              authorization: `DPoP ${accessToken}`,
              dpop: await dpopProof(dpop, { method: 'POST', url: url.href, accessToken, nonce: dpopNonce }),
            }
          : { authorization: `Bearer ${accessToken}` }),
      },
      body: JSON.stringify({
        credential_configuration_id: input.configurationId,
        proofs: { jwt: [input.proof] },
      }),
    });
  let response = await send();
  // RFC 9449 §9: a resource server may demand a nonce of its own; answer it once.
  const dpopNonce = response.headers.get('dpop-nonce');
  if (dpop && response.status === 401 && dpopNonce && errorCode(response) === 'use_dpop_nonce') {
    response = await send(dpopNonce);
  }
  const body = response.json as
    | { credentials?: { credential?: unknown }[]; credential?: unknown; c_nonce?: unknown }
    | undefined;
  if (response.status === 200) {
    const issued = body?.credentials?.[0]?.credential ?? body?.credential;
    // ldp_vc arrives as a JSON object; every other format as a string.
    const credential = typeof issued === 'object' && issued !== null ? JSON.stringify(issued) : issued;
    if (typeof credential !== 'string' || !credential) {
      throw new UpstreamError('credential', 'invalid_response', 'no credential in the credential response');
    }
    return { kind: 'issued', credential };
  }
  if (response.status === 202) {
    throw new UpstreamError('credential', 'issuance_pending', 'deferred issuance is not supported');
  }
  const code = errorCode(response);
  // §8.3.1.2 `invalid_nonce` (1.0); draft 13 answered `invalid_proof` with a fresh `c_nonce`.
  const freshNonce = typeof body?.c_nonce === 'string' ? body.c_nonce : undefined;
  if (code === 'invalid_nonce' || (code === 'invalid_proof' && freshNonce)) {
    return { kind: 'retry_nonce', nonce: freshNonce };
  }
  throw new UpstreamError('credential', code, `credential request failed with ${response.status}`);
}
