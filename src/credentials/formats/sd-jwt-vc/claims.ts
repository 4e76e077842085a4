/**
 * Registered claims that stay in the clear (SD-JWT VC §3.2.2.2) or that the format sets itself; a
 * personal claim with one of these names would be ambiguous, so issuing refuses it.
 */
export const RESERVED_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'nbf',
  'exp',
  'iat',
  'cnf',
  'vct',
  'vct#integrity',
  'status',
  '_sd',
  '_sd_alg',
  '...',
]);

/** Claims of the JWT and SD-JWT machinery, not of the person (RFC 7519 §4.1, SD-JWT VC §3.2.2). */
export const TECHNICAL_CLAIMS: ReadonlySet<string> = new Set([
  'iss',
  'sub',
  'aud',
  'iat',
  'nbf',
  'exp',
  'jti',
  'cnf',
  'vct',
  'vct#integrity',
  'status',
  '_sd',
  '_sd_alg',
]);
