import { type Static, Type as T } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { UpstreamError } from '../errors.js';
import { request } from '../http.js';
import { wellKnownUrls } from './well-known.js';

const Logo = T.Object({ uri: T.String({ minLength: 1 }), alt_text: T.Optional(T.String()) });

/** A display entry (OpenID4VCI 1.0 §12.2.4): unknown members are ignored, malformed ones dropped. */
const Display = T.Object({
  name: T.Optional(T.String()),
  locale: T.Optional(T.String()),
  description: T.Optional(T.String()),
  logo: T.Optional(T.Unknown()),
  background_color: T.Optional(T.Unknown()),
  text_color: T.Optional(T.Unknown()),
});
export type Display = Static<typeof Display>;

const ClaimDescription = T.Object({
  path: T.Array(T.Union([T.String(), T.Integer(), T.Null()]), { minItems: 1 }),
  display: T.Optional(T.Array(Display)),
});

const CredentialConfiguration = T.Object({
  format: T.String({ minLength: 1 }),
  scope: T.Optional(T.String({ minLength: 1 })),
  vct: T.Optional(T.String()),
  doctype: T.Optional(T.String()),
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

/** A claim the issuer describes, in the order it lists them (the order the card follows). */
export interface ClaimMeta {
  /** Dotted path (`address.locality`; array elements as `*`). */
  path: string;
  display: Display[];
}

/** One credential configuration as the portal shows and requests it. */
export interface CredentialType {
  id: string;
  format: string;
  scope: string | undefined;
  vct: string | undefined;
  /** mso_mdoc: the document type (ISO/IEC 18013-5 §7.1; `org.iso.18013.5.1.mDL` for a driving licence). */
  doctype?: string | undefined;
  /** Default (English) name, for logs and fallbacks; pages use `localizeType`. */
  name: string;
  description: string | undefined;
  display: Display[];
  claims: ClaimMeta[];
  /** Claim labels by dotted path, default locale. */
  labels: Record<string, string>;
  /** Algorithms the issuer accepts for `jwt` proofs; undefined when it does not say. */
  proofAlgs: string[] | undefined;
}

export interface IssuerCatalog {
  issuer: string;
  name: string;
  display: Display[];
  /** OpenID4VCI §12.2.4: when omitted, the issuer is its own authorization server. */
  authorizationServer: string;
  credentialEndpoint: string;
  nonceEndpoint: string | undefined;
  types: CredentialType[];
}

/**
 * The display entry for a locale: the exact tag, then the same language (`fr-CA` for `fr`), then
 * English, then one without a locale, then the first.
 */
export function pickDisplay(entries: Display[] | undefined, locale = 'en'): Display | undefined {
  if (!entries?.length) return undefined;
  const lang = (tag: string | undefined) => tag?.toLowerCase().split('-')[0];
  return (
    entries.find((d) => d.locale?.toLowerCase() === locale.toLowerCase()) ??
    entries.find((d) => lang(d.locale) === lang(locale)) ??
    entries.find((d) => lang(d.locale) === 'en') ??
    entries.find((d) => !d.locale) ??
    entries[0]
  );
}

const COLOR = /^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$/;

/** A colour safe to write into a stylesheet, or undefined. */
export function safeColor(value: unknown): string | undefined {
  return typeof value === 'string' && COLOR.test(value) ? value : undefined;
}

export interface LocalizedType {
  name: string;
  description: string | undefined;
  logo: { uri: string; alt: string } | undefined;
  background: string | undefined;
  text: string | undefined;
}

/** Name, description, logo and colours of a type in a locale (with fallback). */
export function localizeType(type: CredentialType, locale: string): LocalizedType {
  const display = pickDisplay(type.display, locale);
  const logo = Value.Check(Logo, display?.logo) ? (display?.logo as Static<typeof Logo>) : undefined;
  const uri = logo && /^(https?:|data:image\/)/.test(logo.uri) ? logo.uri : undefined;
  return {
    name: display?.name ?? type.id,
    description: display?.description,
    logo: uri ? { uri, alt: logo?.alt_text ?? '' } : undefined,
    background: safeColor(display?.background_color),
    text: safeColor(display?.text_color),
  };
}

/** Claim labels by dotted path in a locale. */
export function claimLabels(claims: ClaimMeta[], locale: string): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const claim of claims) {
    const label = pickDisplay(claim.display, locale)?.name;
    if (label) labels[claim.path] = label;
  }
  return labels;
}

export function claimPathKey(path: readonly (string | number | null)[]): string {
  return path.map((p) => (p === null ? '*' : String(p))).join('.');
}

/** Draft-13 `claims`: `{given_name: {display: […]}, address: {locality: {display: […]}}}`. */
function draft13Claims(claims: unknown, prefix: string[], out: ClaimMeta[]): void {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) return;
  for (const [name, value] of Object.entries(claims)) {
    if (typeof value !== 'object' || value === null) continue;
    const display = (value as { display?: unknown }).display;
    if (Array.isArray(display) && display.every((d) => Value.Check(Display, d))) {
      out.push({ path: [...prefix, name].join('.'), display: display as Display[] });
    }
    draft13Claims(value, [...prefix, name], out);
  }
}

function toCredentialType(
  id: string,
  configuration: IssuerMetadata['credential_configurations_supported'][string],
): CredentialType {
  const displays = configuration.credential_metadata?.display ?? configuration.display ?? [];
  const claims: ClaimMeta[] = [];
  if (Array.isArray(configuration.claims)) {
    // Some draft-15 era issuers put the 1.0 claims array at the top level.
    for (const claim of configuration.claims) {
      if (Value.Check(ClaimDescription, claim)) {
        claims.push({ path: claimPathKey(claim.path), display: claim.display ?? [] });
      }
    }
  } else {
    draft13Claims(configuration.claims, [], claims);
  }
  for (const claim of configuration.credential_metadata?.claims ?? []) {
    claims.push({ path: claimPathKey(claim.path), display: claim.display ?? [] });
  }
  const display = pickDisplay(displays);
  return {
    id,
    format: configuration.format,
    scope: configuration.scope,
    vct: configuration.vct,
    doctype: configuration.doctype,
    name: display?.name ?? id,
    description: display?.description,
    display: displays,
    claims,
    labels: claimLabels(claims, 'en'),
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
    display: body.display ?? [],
    authorizationServer: body.authorization_servers?.[0] ?? body.credential_issuer,
    credentialEndpoint: body.credential_endpoint,
    nonceEndpoint: body.nonce_endpoint,
    types: Object.entries(body.credential_configurations_supported).map(([id, c]) => toCredentialType(id, c)),
  };
}

/** Fetches `/.well-known/openid-credential-issuer` of an issuer (§12.2.2). */
export async function fetchIssuerCatalog(issuer: string): Promise<IssuerCatalog> {
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
