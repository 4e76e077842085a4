/**
 * Authentication context classes (OIDC Core §2 `acr`) Attesta signs in with, one per factor, and the
 * authentication methods (RFC 8176 `amr`) each records.
 */
export const ACR = {
  kbi: 'urn:attesta:acr:kbi',
  otp: 'urn:attesta:acr:otp',
  password: 'urn:attesta:acr:password',
} as const;

export type Factor = keyof typeof ACR;
export const ACR_VALUES: readonly string[] = Object.values(ACR);

const FACTOR_BY_ACR = new Map<string, Factor>(Object.entries(ACR).map(([f, acr]) => [acr, f as Factor]));

export const factorOf = (acr: string): Factor | undefined => FACTOR_BY_ACR.get(acr);

/** RFC 8176: `kba` knowledge-based, `pwd` password, `otp` one-time code (`sms` when sent by text). */
export function amrFor(factor: Factor, channel?: 'email' | 'phone'): string[] {
  if (factor === 'kbi') return ['kba'];
  if (factor === 'password') return ['pwd'];
  return channel === 'phone' ? ['otp', 'sms'] : ['otp'];
}

/** ACRs a `claims` parameter asks for on `acr` (OIDC Core §5.5.1.1), in order. */
function claimsAcr(claims: unknown): string[] {
  if (typeof claims !== 'string') return [];
  try {
    const parsed = JSON.parse(claims) as { id_token?: { acr?: { value?: unknown; values?: unknown } } };
    const acr = parsed.id_token?.acr;
    const values = [acr?.value, ...(Array.isArray(acr?.values) ? acr.values : [])];
    return values.filter((v): v is string => typeof v === 'string');
  } catch {
    return [];
  }
}

export interface AcrChoice {
  /** `acr_values` of the request (space-separated, by preference). */
  acrValues?: unknown;
  /** The `claims` parameter (JSON text). */
  claims?: unknown;
  /** `scope` of the request (space-separated), looked up in `acrByScope`. */
  scope?: unknown;
  /** Scope → the ACR a request for it signs in with (`authz.login.acrByScope`). */
  acrByScope?: Readonly<Record<string, string>>;
  /** ACRs a client may use (its registration); its first is the client's default. */
  allowed: readonly string[];
  /** ACRs Attesta knows besides the built-in ones: those of the configured KBI realms. */
  extraSupported?: readonly string[];
  defaultAcr: string;
}

/**
 * The ACR (and so the factor and realm) of a sign-in, among the ACRs the client is allowed and
 * Attesta supports: the first one the request names (claims parameter, then acr_values); else the
 * one configured for the first requested scope that has one (`acrByScope`); else the client's
 * first allowed one; else the configured default. A client cannot pick a factor or realm it is
 * not registered for.
 */
export function chooseAcr(choice: AcrChoice): string {
  const supported = choice.allowed.filter((a) => FACTOR_BY_ACR.has(a) || choice.extraSupported?.includes(a));
  const allowed = supported.length ? supported : [choice.defaultAcr];
  const requested = [
    ...claimsAcr(choice.claims),
    ...(typeof choice.acrValues === 'string' ? choice.acrValues.split(' ') : []),
  ];
  const named = requested.find((a) => allowed.includes(a));
  if (named) return named;
  const scopes = typeof choice.scope === 'string' ? choice.scope.split(' ') : [];
  const byScope = scopes
    .map((scope) => (Object.hasOwn(choice.acrByScope ?? {}, scope) ? choice.acrByScope?.[scope] : undefined))
    .find((a): a is string => a !== undefined && allowed.includes(a));
  return byScope ?? allowed[0] ?? choice.defaultAcr;
}
