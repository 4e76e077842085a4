import {
  type Adapter,
  type ExternalSigningKey,
  interactionPolicy,
  type KoaContextWithOIDC,
  Provider,
} from 'oidc-provider';
import type { Config } from '../platform/config/index.js';
import { claimsConfiguration, findAccountIn, withRealmAcr } from './accounts.js';
import { ACR_VALUES } from './factors/acr.js';
import { LOCALES } from './i18n/index.js';
import { addAtHash } from './protocol/at-hash.js';
import { standardTokenErrors } from './protocol/errors.js';
import {
  extraClientMetadata,
  haipClients,
  issueRefreshToken,
  protocolFeatures,
} from './protocol/features.js';
import { REVOCATION_FEED_METADATA, REVOCATION_FEED_PATH, withGrantId } from './protocol/grant-revocation.js';
import {
  type IssuerStateStore,
  issuerStateClaims,
  issuerStateParam,
  rememberIssuerState,
} from './protocol/issuer-state.js';
import type { Realms } from './realms.js';
import { resourceIndicators } from './resources.js';
import { replayOnce } from './storage/adapter.js';
import { answerAfterWrites } from './storage/request-writes.js';
import { providerErrorPage } from './views/provider-pages.js';

export interface ProviderOptions {
  config: Config;
  /** The KBI realms: where an account (`sub`) is looked up, by the ACR it signed in with. */
  realms: Realms;
  adapter: (kind: string) => Adapter;
  /** Private signing JWKs (ES256), the active key first. */
  /** Signing keys behind the key interface (authz/keys/provider-keys.ts): the first one signs. */
  signingKeys: ExternalSigningKey[];
  /** Cookie-signing keys, the same on every instance. */
  cookieKeys: string[];
  /** DPoP server-nonce secret (32 bytes), the same on every instance. */
  dpopNonceSecret: Buffer;
  /** OpenID4VCI `issuer_state` kept per grant (protocol/issuer-state.ts). */
  issuerStates: IssuerStateStore;
}

/** Grant lifetime, s; the issuer_state of a grant is kept as long. */
export const GRANT_TTL_SECONDS = 60 * 60;

/** Where the interaction pages live; oidc-provider scopes its interaction cookie to this path. */
export const interactionPath = (uid: string) => `/interaction/${encodeURIComponent(uid)}`;

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * oidc-provider guards outgoing requests (client jwks_uri) against special-use addresses, loopback
 * included. In development mode the portal's JWKS is on localhost, so loopback URLs go out
 * unguarded there; in production every request keeps the guard.
 */
function outgoingFetch(mode: Config['mode']) {
  return (url: string | URL, options: RequestInit & { dispatcher?: unknown }) => {
    if (mode === 'development' && LOOPBACK.has(new URL(url).hostname)) {
      const { dispatcher: _guard, ...rest } = options;
      return globalThis.fetch(url, rest);
    }
    return globalThis.fetch(url, options);
  };
}

/**
 * A fresh login for every authorization request: the sign-in proves knowledge of a person's data,
 * and a browser shared by two people must not hand the second one the first one's credential
 * through a remembered session. `result.login` is set only when this very request was signed in.
 */
function interactionPolicyWithFreshLogin(): interactionPolicy.Policy {
  const policy = interactionPolicy.base();
  policy
    .get('login')
    ?.checks.add(
      new interactionPolicy.Check(
        'fresh_login_required',
        'each authorization request requires the End-User to sign in',
        'login_required',
        (ctx) =>
          ctx.oidc.result?.login
            ? interactionPolicy.Check.NO_NEED_TO_PROMPT
            : interactionPolicy.Check.REQUEST_PROMPT,
      ),
    );
  return policy;
}

/** Error page for authorization requests that cannot be sent back to the client. */
async function renderError(ctx: KoaContextWithOIDC, out: { error?: string; error_description?: string }) {
  ctx.type = 'html';
  ctx.body = providerErrorPage(ctx, out);
}

/** The OpenID Provider: authorization code flow with PKCE S256, private_key_jwt, JWT access tokens. */
export function createProvider(options: ProviderOptions): Provider {
  const { config } = options;
  const { authz } = config;
  const ttl = {
    AccessToken: authz.accessTokenTtl,
    AuthorizationCode: authz.authorizationCodeTtl,
    IdToken: authz.accessTokenTtl,
    Interaction: 15 * 60,
    Session: 60 * 60,
    Grant: GRANT_TTL_SECONDS,
  };
  const issuerUrl = config.issuer.publicUrl;
  const provider = new Provider(authz.publicUrl, {
    // Clients come from the database through the adapter's `Client` model (clients/adapter.ts);
    // resource-server scopes are bounded per client by resourceIndicators().
    adapter: config.haip ? haipClients(options.adapter) : options.adapter,
    extraClientMetadata,
    issueRefreshToken,
    // Every use of a refresh token rotates it, so a second use of one (a thief's or the client's
    // after theft) is detected and revokes the grant (RFC 9700 §4.14.2), down to the issuer.
    rotateRefreshToken: true,
    clientDefaults: {
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'private_key_jwt',
      id_token_signed_response_alg: 'ES256',
    },
    clientAuthMethods: ['private_key_jwt'],
    // OpenID4VCI §5.1.3: issuer_state from a credential offer, handed on to the issuer in its tokens.
    extraParams: issuerStateParam,
    // The grant id lets resource servers refuse tokens of a revoked grant (protocol/grant-revocation.ts).
    extraTokenClaims: withGrantId(
      withRealmAcr(
        options.realms,
        issuerStateClaims(options.issuerStates, [issuerUrl, `${issuerUrl}/draft13`]),
      ),
    ),
    responseTypes: ['code'],
    // RFC 9700 §2.1.1: PKCE for every client; oidc-provider 9 only knows S256.
    pkce: { required: () => true },
    allowOmittingSingleRegisteredRedirectUri: false,
    scopes: ['openid'],
    // The sign-in factors (src/authz/factors/acr.ts), advertised as acr_values_supported.
    acrValues: [...ACR_VALUES, ...options.realms.acrs],
    claims: claimsConfiguration(),
    // ID tokens carry the granted profile claims even when an access token exists, so a client
    // whose access token is for a resource server (not userinfo) still learns them.
    conformIdTokenClaims: false,
    findAccount: findAccountIn(options.realms),
    jwks: { keys: options.signingKeys },
    cookies: {
      keys: options.cookieKeys,
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    enabledJWA: {
      clientAuthSigningAlgValues: ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'],
      requestObjectSigningAlgValues: ['ES256', 'EdDSA', 'Ed25519', 'PS256', 'RS256'],
      idTokenSigningAlgValues: ['ES256'],
      userinfoSigningAlgValues: ['ES256'],
      authorizationSigningAlgValues: ['ES256'],
      introspectionSigningAlgValues: ['ES256'],
      // HAIP 1.0 §4: ES256 for DPoP proofs; otherwise oidc-provider's default set.
      ...(config.haip ? { dPoPSigningAlgValues: ['ES256'] } : {}),
    },
    features: {
      ...protocolFeatures({ dpopNonceSecret: options.dpopNonceSecret, haip: config.haip }),
      devInteractions: { enabled: false },
      // Keys sign through our key interface (sealed or HSM), never as private JWKs (docs/keys.md).
      externalSigningSupport: { enabled: true, ack: 'experimental-01' },
      userinfo: { enabled: true },
      resourceIndicators: resourceIndicators(authz.resources, authz.accessTokenTtl, authz.publicUrl),
    },
    interactions: {
      policy: interactionPolicyWithFreshLogin(),
      url: (_ctx: unknown, interaction: { uid: string }) => interactionPath(interaction.uid),
    },
    ttl,
    // OpenID Connect Discovery 1.0 §3: the page languages are the catalogs authz has (i18n/), the
    // claim languages are those of the registry's values (configuration: authz.claimsLocales); and
    // where resource servers read revoked grants (protocol/grant-revocation.ts).
    discovery: {
      ui_locales_supported: [...LOCALES],
      claims_locales_supported: [...authz.claimsLocales],
      [REVOCATION_FEED_METADATA]: `${authz.publicUrl}${REVOCATION_FEED_PATH}`,
    },
    clientBasedCORS: () => false,
    fetch: outgoingFetch(config.mode),
    renderError,
  });
  // Forwarding headers are believed only behind a configured proxy (http.trustProxy; src/authz/service.ts).
  provider.proxy = false;
  // First of the provider's own middleware, so that it is the outermost: the answer waits for the
  // request's adapter writes, which no longer hold up its steps (storage/request-writes.ts).
  answerAfterWrites(provider);
  addAtHash(provider);
  // Replay detection (client assertion and DPoP jtis) as one conditional write (storage/adapter.ts).
  replayOnce(provider, options.adapter);
  rememberIssuerState(provider, options.issuerStates);
  standardTokenErrors(provider);
  return provider;
}
