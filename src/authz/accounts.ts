import type { Identity, IdentityRegistry } from '../platform/registry/index.js';

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

/**
 * oidc-provider's `findAccount`: the account id is the person's individual ID in the registry, so
 * `sub` of ID and access tokens is that ID. A person removed from the registry can no longer
 * redeem a code (oidc-provider answers invalid_grant).
 */
export function findAccountIn(registry: IdentityRegistry) {
  return async (_ctx: unknown, sub: string) => {
    const identity = await registry.findByIndividualId(sub);
    if (!identity) return undefined;
    return {
      accountId: identity.individualId,
      async claims() {
        return identityClaims(identity);
      },
    };
  };
}
