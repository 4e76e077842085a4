import type { Adapter, AdapterPayload, ClientLike, KoaContextWithOIDC } from 'oidc-provider';
import { EXTRA_CLIENT_METADATA } from '../clients/record.js';
import { logoutSource, postLogoutSuccessSource } from './logout.js';

export interface ProtocolOptions {
  /** 32 bytes, the same on every instance, so that any instance accepts a nonce another one issued. */
  dpopNonceSecret: Buffer;
  /** HAIP mode (configuration `haip`): PAR for every authorization request (HAIP 1.0 §4.3). */
  haip?: boolean;
}

/**
 * The oidc-provider features beyond the code flow itself, in one place: PAR (RFC 9126), DPoP
 * (RFC 9449), the claims parameter (OIDC Core §5.5), signed userinfo, introspection (RFC 7662),
 * revocation (RFC 7009), RP-initiated logout and the client_credentials grant. Per-client switches
 * come from the client record (clients/record.ts): `require_pushed_authorization_requests`,
 * `dpop_bound_access_tokens`, the grant types.
 */
export function protocolFeatures(options: ProtocolOptions) {
  return {
    pushedAuthorizationRequests: {
      enabled: true,
      // Required per client (require_pushed_authorization_requests in its record), or for every
      // request in HAIP mode (advertised as require_pushed_authorization_requests, RFC 9126 §5).
      requirePushedAuthorizationRequests: options.haip === true,
      allowUnregisteredRedirectUris: false,
    },
    dPoP: {
      enabled: true,
      nonceSecret: options.dpopNonceSecret,
      // RFC 9449 §8: a client that must use DPoP must also use a fresh server nonce.
      requireNonce: (ctx: KoaContextWithOIDC) => dpopRequired(ctx.oidc.client),
    },
    claimsParameter: { enabled: true },
    jwtUserinfo: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    clientCredentials: { enabled: true },
    rpInitiatedLogout: { enabled: true, logoutSource, postLogoutSuccessSource },
  };
}

function dpopRequired(client: ClientLike | undefined): boolean {
  return client?.dpopBoundAccessTokens === true;
}

/**
 * HAIP mode's client policy (HAIP 1.0 §4: sender-constrained tokens with DPoP, PAR): every client of
 * the code flow (a wallet or a portal acting for a person) is read as registered with
 * `dpop_bound_access_tokens` and `require_pushed_authorization_requests`, whatever its record says, so
 * such a token is never issued without a DPoP proof. Service clients (client_credentials only: the
 * issuer's revocation feed reader, admin callers) are outside HAIP's wallet flows and keep their record.
 */
export function haipClients(factory: (kind: string) => Adapter): (kind: string) => Adapter {
  return (kind) => {
    const adapter = factory(kind);
    if (kind !== 'Client') return adapter;
    return Object.assign(Object.create(adapter) as Adapter, {
      async find(id: string): Promise<AdapterPayload | undefined> {
        const client = await adapter.find(id);
        const grants = (client?.grant_types ?? []) as string[];
        if (!client || !grants.includes('authorization_code')) return client;
        return { ...client, dpop_bound_access_tokens: true, require_pushed_authorization_requests: true };
      },
    });
  };
}

/** Our extra client metadata (set by ClientAdapter from the record, never by a client). */
export const extraClientMetadata = {
  properties: [...EXTRA_CLIENT_METADATA],
  validator() {},
};

/**
 * Refresh tokens only for clients registered with the refresh_token grant (not on `offline_access`
 * alone): a programme decides per client whether a sign-in may outlive its session.
 */
export async function issueRefreshToken(
  _ctx: KoaContextWithOIDC,
  client: { grantTypeAllowed(type: string): boolean },
): Promise<boolean> {
  return client.grantTypeAllowed('refresh_token');
}
