import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import type { Config } from '../../platform/config/index.js';
import { UpstreamError } from '../errors.js';
import { request } from '../http.js';
import { wellKnownUrls } from './well-known.js';

const Display = T.Object({
  name: T.Optional(T.String()),
  locale: T.Optional(T.String()),
  description: T.Optional(T.String()),
});
type Display = Static<typeof Display>;

const ClaimDescription = T.Object({
  path: T.Array(T.Union([T.String(), T.Integer(), T.Null()]), { minItems: 1 }),
  display: T.Optional(T.Array(Display)),
});

const CredentialConfiguration = T.Object({
  format: T.String({ minLength: 1 }),
  scope: T.Optional(T.String({ minLength: 1 })),
  vct: T.Optional(T.String()),
  proof_types_supported: T.Optional(
    T.Record(T.String(), T.Object({ proof_signing_alg_values_supported: T.Optional(T.Array(T.String())) })),
  ),
  /** OpenID4VCI 1.0 §12.2.4: display and claims live here. */
  credential_metadata: T.Optional(
    T.Object({ display: T.Optional(T.Array(Display)), claims: T.Optional(T.Array(ClaimDescription)) }),
  ),
  /** Draft 13: display at the top level, claims as a nested object of `{display}` leaves. */
  display: T.Optional(T.Array(Display)),
  claims: T.Optional(T.Unknown()),
});

/** The parts of Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4) the portal relies on. */
export const IssuerMetadataSchema = T.Object({
  credential_issuer: T.String({ minLength: 1 }),
  authorization_servers: T.Optional(T.Array(T.String({ minLength: 1 }), { minItems: 1 })),
  credential_endpoint: T.String({ minLength: 1 }),
  nonce_endpoint: T.Optional(T.String({ minLength: 1 })),
  display: T.Optional(T.Array(Display)),
  credential_configurations_supported: T.Record(T.String(), CredentialConfiguration),
});
export type IssuerMetadata = Static<typeof IssuerMetadataSchema>;

/** One credential configuration as the portal shows and requests it. */
export interface CredentialType {
  id: string;
  format: string;
  scope: string | undefined;
  vct: string | undefined;
  name: string;
  description: string | undefined;
  /** Claim labels by dotted path (`address.locality`; array elements as `*`). */
  labels: Record<string, string>;
  /** Algorithms the issuer accepts for `jwt` proofs; undefined when it does not say. */
  proofAlgs: string[] | undefined;
}

export interface IssuerCatalog {
  issuer: string;
  name: string;
  /** OpenID4VCI §12.2.4: when omitted, the issuer is its own authorization server. */
  authorizationServer: string;
  credentialEndpoint: string;
  nonceEndpoint: string | undefined;
  types: CredentialType[];
}

const PREFERRED_LOCALES = ['en', 'en-US', 'en-GB'];

/** The display entry for our locale: English first, then one without a locale, then the first. */
export function pickDisplay(entries: Display[] | undefined): Display | undefined {
  if (!entries?.length) return undefined;
  return (
    entries.find((d) => d.locale && PREFERRED_LOCALES.includes(d.locale)) ??
    entries.find((d) => d.locale?.startsWith('en-')) ??
    entries.find((d) => !d.locale) ??
    entries[0]
  );
}

export function claimPathKey(path: readonly (string | number | null)[]): string {
  return path.map((p) => (p === null ? '*' : String(p))).join('.');
}

/** Draft-13 `claims`: `{given_name: {display: […]}, address: {locality: {display: […]}}}`. */
function draft13Labels(claims: unknown, prefix: string[], out: Record<string, string>): void {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return;
  for (const [name, value] of Object.entries(claims)) {
    if (typeof value !== 'object' || value === null) continue;
    const display = (value as { display?: unknown }).display;
    if (Array.isArray(display) && display.every((d) => Value.Check(Display, d))) {
      const label = pickDisplay(display as Display[])?.name;
      if (label) out[[...prefix, name].join('.')] = label;
    }
    draft13Labels(value, [...prefix, name], out);
  }
}

function toCredentialType(
  id: string,
  configuration: IssuerMetadata['credential_configurations_supported'][string],
): CredentialType {
  const display =
    pickDisplay(configuration.credential_metadata?.display) ?? pickDisplay(configuration.display);
  const labels: Record<string, string> = {};
  if (Array.isArray(configuration.claims)) {
    // Some draft-15 era issuers put the 1.0 claims array at the top level.
    for (const claim of configuration.claims) {
      if (!Value.Check(ClaimDescription, claim)) continue;
      const label = pickDisplay(claim.display)?.name;
      if (label) labels[claimPathKey(claim.path)] = label;
    }
  } else {
    draft13Labels(configuration.claims, [], labels);
  }
  for (const claim of configuration.credential_metadata?.claims ?? []) {
    const label = pickDisplay(claim.display)?.name;
    if (label) labels[claimPathKey(claim.path)] = label;
  }
  return {
    id,
    format: configuration.format,
    scope: configuration.scope,
    vct: configuration.vct,
    name: display?.name ?? id,
    description: display?.description,
    labels,
    proofAlgs: configuration.proof_types_supported?.jwt?.proof_signing_alg_values_supported,
  };
}

/** Checks and condenses fetched metadata; `expectedIssuer` is the identifier it was fetched for. */
export function parseIssuerMetadata(body: unknown, expectedIssuer: string): IssuerCatalog {
  if (!Value.Check(IssuerMetadataSchema, body)) {
    const first = Value.Errors(IssuerMetadataSchema, body).First();
    throw new UpstreamError(
      'issuer_metadata',
      'invalid_metadata',
      `${first?.path || '(root)'} ${first?.message ?? 'is malformed'}`,
    );
  }
  // §12.2.3: the credential_issuer in the metadata MUST be identical to the one it was fetched for.
  if (body.credential_issuer.replace(/\/$/, '') !== expectedIssuer.replace(/\/$/, '')) {
    throw new UpstreamError('issuer_metadata', 'invalid_metadata', 'credential_issuer does not match');
  }
  return {
    issuer: body.credential_issuer,
    name: pickDisplay(body.display)?.name ?? new URL(body.credential_issuer).host,
    authorizationServer: body.authorization_servers?.[0] ?? body.credential_issuer,
    credentialEndpoint: body.credential_endpoint,
    nonceEndpoint: body.nonce_endpoint,
    types: Object.entries(body.credential_configurations_supported).map(([id, c]) => toCredentialType(id, c)),
  };
}

/** Fetches `/.well-known/openid-credential-issuer` of the configured issuer (§12.2.2). */
export async function fetchIssuerCatalog(config: Config): Promise<IssuerCatalog> {
  const issuer = config.portal.issuerUrl;
  let lastStatus = 0;
  for (const url of wellKnownUrls(issuer, 'openid-credential-issuer')) {
    const response = await request('issuer_metadata', url);
    lastStatus = response.status;
    if (response.status === 404) continue;
    if (response.status !== 200) break;
    return parseIssuerMetadata(response.json, issuer);
  }
  throw new UpstreamError('issuer_metadata', `http_${lastStatus}`, 'issuer metadata not available');
}
