import type { Identity } from '../platform/registry/index.js';
import type { Realms } from './realms.js';

/** The claims each scope releases (OpenID Connect Core §5.4), from registry fields. */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'given_name', 'family_name', 'birthdate', 'gender'],
  email: ['email'],
  phone: ['phone_number'],
  address: ['address'],
} as const;

/**
 * oidc-provider's `claims` configuration: the claims of each scope, and the authentication claims
 * (acr, amr, auth_time — OIDC Core §2) with `openid`, so that every ID token says how and when the
 * person signed in (oidc-provider takes them from the session, not from the account).
 */
export function claimsConfiguration(): Record<string, string[] | null> {
  const byScope = Object.fromEntries(
    Object.entries(SCOPE_CLAIMS).map(([scope, claims]) => [scope, [...claims]]),
  );
  return { ...byScope, openid: ['sub', 'acr', 'amr', 'auth_time'], sid: null, iss: null };
}

/** OIDC standard claims of a person; oidc-provider filters them by granted scope and claims. */
export function identityClaims(identity: Identity): Record<string, unknown> {
  const address = identity.address && {
    street_address: identity.address.streetAddress,
    locality: identity.address.locality,
    postal_code: identity.address.postalCode,
    country: identity.address.country,
  };
  return {
    sub: identity.individualId,
    name: identity.fullName,
    given_name: identity.givenName,
    family_name: identity.familyName,
    birthdate: identity.birthDate,
    gender: identity.gender,
    email: identity.email,
    phone_number: identity.phone,
    address,
  };
}

/** What oidc-provider hands `findAccount` besides the sub: the token or session it comes from. */
interface AccountSource {
  acr?: unknown;
  extra?: { acr?: unknown };
}

/**
 * The ACR the account `sub` signed in with, which names its realm: authorization codes and refresh
 * tokens carry it (`acr`), access tokens in their claims (`extra.acr`, see withRealmAcr), and at
 * the authorization endpoint the session does.
 */
function acrOf(ctx: unknown, sub: string, source: AccountSource | undefined): string | undefined {
  const fromToken = source?.acr ?? source?.extra?.acr;
  if (typeof fromToken === 'string') return fromToken;
  const session = (ctx as { oidc?: { session?: { accountId?: string; acr?: unknown } } } | undefined)?.oidc
    ?.session;
  return session?.accountId === sub && typeof session.acr === 'string' ? session.acr : undefined;
}

/**
 * oidc-provider's `findAccount`: the account id is the person's id in the registry of the realm
 * they signed in to (src/authz/realms.ts), so `sub` of ID and access tokens is that id — a national
 * ID, or a policy number for the insurance realm, as the issuer's data sources expect. The realm
 * comes from the sign-in's ACR. A person removed from the registry can no longer redeem a code
 * (oidc-provider answers invalid_grant).
 */
export function findAccountIn(realms: Realms) {
  return async (ctx: unknown, sub: string, token?: AccountSource) => {
    const identity = await realms.of(acrOf(ctx, sub, token)).registry.findByIndividualId(sub);
    if (!identity) return undefined;
    return {
      accountId: identity.individualId,
      async claims() {
        return identityClaims(identity);
      },
    };
  };
}

type TokenClaims = (ctx: unknown, token: { kind?: string }) => Promise<Record<string, unknown> | undefined>;

/**
 * oidc-provider's `extraTokenClaims`, adding to `inner`'s claims the sign-in's `acr` in access
 * tokens of a configured realm (RFC 9068 §2.2.1 allows `acr` in JWT access tokens), so that
 * userinfo finds the account in the right realm; default-realm tokens are left as they were.
 */
export function withRealmAcr(realms: Realms, inner: TokenClaims): TokenClaims {
  return async (ctx, token) => {
    const claims = await inner(ctx, token);
    if (token.kind !== 'AccessToken') return claims;
    const entities = (ctx as { oidc?: { entities?: Record<string, { acr?: unknown } | undefined> } }).oidc
      ?.entities;
    const acr = entities?.AuthorizationCode?.acr ?? entities?.RefreshToken?.acr;
    if (typeof acr !== 'string' || !realms.acrs.includes(acr)) return claims;
    return { ...claims, acr };
  };
}
