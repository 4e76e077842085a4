import type { AuthzClientConfig } from '../../platform/config/index.js';
import { SCOPE_CLAIMS } from '../accounts.js';

/** A client as authz stores it: the configuration/admin shape (one schema for both). */
export type ClientRecord = AuthzClientConfig;

/** oidc-provider only accepts its own (OpenID) scopes in a client's `scope`. */
export const OPENID_SCOPES: ReadonlySet<string> = new Set(['openid', ...Object.keys(SCOPE_CLAIMS)]);

/**
 * Extra client metadata oidc-provider carries for us (`extraClientMetadata`): the whole scope list
 * (resource-server scopes included, bounded per client by resources.ts) and the allowed ACRs. On
 * the client instance they keep their names (`client.attesta_scope`, `client.attesta_acr_values`).
 */
export const EXTRA_CLIENT_METADATA = ['attesta_scope', 'attesta_acr_values', 'attesta_client_names'] as const;

export const grantTypesOf = (record: ClientRecord) => record.grant_types ?? ['authorization_code'];

/**
 * The record as oidc-provider client metadata. Every client authenticates with private_key_jwt
 * (RFC 7523); a client without the authorization_code grant has no response types (and so needs
 * no redirect URI).
 */
export function toProviderMetadata(record: ClientRecord): Record<string, unknown> {
  const grantTypes = grantTypesOf(record);
  const codeFlow = grantTypes.includes('authorization_code');
  return {
    client_id: record.client_id,
    client_name: record.client_name,
    logo_uri: record.logo_uri,
    redirect_uris: codeFlow ? record.redirect_uris : [],
    post_logout_redirect_uris: record.post_logout_redirect_uris ?? [],
    ...(record.jwks ? { jwks: record.jwks } : { jwks_uri: record.jwks_uri }),
    // oidc-provider refuses an empty `scope`; a client without OpenID scopes leaves it out.
    scope:
      record.scope
        .split(' ')
        .filter((s) => OPENID_SCOPES.has(s))
        .join(' ') || undefined,
    token_endpoint_auth_method: 'private_key_jwt',
    grant_types: grantTypes,
    response_types: codeFlow ? ['code'] : [],
    // oidc-provider defaults to RS256, which this ES256-only key set cannot sign.
    id_token_signed_response_alg: 'ES256',
    require_pushed_authorization_requests: record.require_pushed_authorization_requests ?? false,
    dpop_bound_access_tokens: record.dpop_bound_access_tokens ?? false,
    ...(record.userinfo_signed_response_alg
      ? { userinfo_signed_response_alg: record.userinfo_signed_response_alg }
      : {}),
    attesta_scope: record.scope,
    attesta_acr_values: record.acr_values ?? [],
    attesta_client_names: record.client_names ?? {},
  };
}

/** The client's display name for a locale (exact tag, then its language), else `client_name`. */
export function clientDisplayName(
  record: Pick<ClientRecord, 'client_id' | 'client_name' | 'client_names'>,
  locale?: string,
) {
  const names = record.client_names ?? {};
  if (locale) {
    const exact = names[locale];
    if (exact) return exact;
    const language = names[locale.split('-')[0] ?? ''];
    if (language) return language;
  }
  return record.client_name ?? record.client_id;
}

/** Checks the rules the schema cannot express; returns a message or undefined. */
export function recordProblem(record: ClientRecord): string | undefined {
  if (!record.jwks === !record.jwks_uri) return 'exactly one of jwks and jwks_uri is required';
  const grantTypes = grantTypesOf(record);
  if (grantTypes.includes('authorization_code') && record.redirect_uris.length === 0) {
    return 'the authorization_code grant needs at least one redirect URI';
  }
  if (grantTypes.includes('refresh_token') && !grantTypes.includes('authorization_code')) {
    return 'refresh_token needs the authorization_code grant';
  }
  // A pasted private key would be stored and served back by the admin API: public members only.
  const privateMembers = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'k'];
  if (record.jwks?.keys.some((key) => privateMembers.some((member) => member in key))) {
    return 'jwks must hold public keys only';
  }
  for (const uri of [...record.redirect_uris, ...(record.post_logout_redirect_uris ?? [])]) {
    if (new URL(uri).hash) return 'redirect URIs must not have a fragment';
  }
  return undefined;
}
