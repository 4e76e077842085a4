import type { JWK } from 'jose';
import { FORMAT_IDS, formatOf } from '../../credentials/formats/index.js';
import type { VerifiedCredential } from '../../credentials/verify/index.js';
import type { Config } from '../../platform/config/index.js';
import type { CredentialType, IssuerCatalog } from '../catalog/issuer-metadata.js';
import { UpstreamError } from '../errors.js';
import type { ObtainedCredential } from '../store/credential-store.js';
import type { HolderMode } from '../store/flow-store.js';
import { type AccessGrant, fetchNonce, requestCredential } from './credential-request.js';
import { holderKeyFor, publicMembers, signProof } from './holder-proof.js';
import type { IssuerKeys } from './issuer-keys.js';
import { verifyObtainedCredential } from './verify-credential.js';

/** Formats the portal can verify and show (every format of src/credentials/formats); others are not offered. */
export const SUPPORTED_FORMATS: ReadonlySet<string> = new Set(FORMAT_IDS);

export interface IssuanceInput {
  catalog: IssuerCatalog;
  type: CredentialType;
  grant: AccessGrant;
}

/**
 * Steps 5–8 of the flow after the token, in guest mode: nonce, proof of possession with a holder key
 * made for this download, credential request, and verification of the result. The holder key is
 * dropped when this returns.
 */
export async function obtainCredential(
  config: Config,
  keys: IssuerKeys,
  { catalog, type, grant }: IssuanceInput,
): Promise<ObtainedCredential> {
  if (!SUPPORTED_FORMATS.has(type.format)) {
    throw new UpstreamError('credential', 'unsupported_format', type.format);
  }
  const holderKey = await holderKeyFor(type.proofAlgs);
  let nonce = await fetchNonce(config, catalog);
  let credential: string | undefined;
  for (let attempt = 0; attempt < 2 && credential === undefined; attempt++) {
    const proof = await signProof(holderKey, {
      audience: catalog.issuer,
      nonce,
      iat: Math.floor(Date.now() / 1000),
    });
    const outcome = await requestCredential(config, { catalog, configurationId: type.id, grant, proof });
    if (outcome.kind === 'issued') credential = outcome.credential;
    else if (attempt === 0) nonce = outcome.nonce ?? (await fetchNonce(config, catalog));
    else throw new UpstreamError('credential', 'invalid_nonce', 'nonce refused twice');
  }
  if (credential === undefined) throw new UpstreamError('credential', 'invalid_response', 'no credential');
  return verifyAndDescribe(
    config,
    keys,
    { catalog, type, credential, holderJwk: publicMembers(holderKey.publicJwk) },
    'guest',
  );
}

/** A value of an mdoc element as the card shows it: dates as ISO dates, pictures as data URIs. */
function mdocValue(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const jpeg = value[0] === 0xff && value[1] === 0xd8;
    const png = value[0] === 0x89 && value[1] === 0x50;
    return jpeg || png
      ? `data:image/${jpeg ? 'jpeg' : 'png'};base64,${Buffer.from(value).toString('base64')}`
      : `(${value.length} bytes)`;
  }
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value)) return value.map(mdocValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), mdocValue(v)]));
  if (typeof value === 'object' && value !== null) {
    const text = String(value);
    if (text !== '[object Object]') return text; // e.g. a full-date
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mdocValue(v)]));
  }
  return value;
}

/**
 * The claims the card shows, and the metadata's claim paths rewritten to their shape: W3C claims
 * live under `credentialSubject` (OpenID4VCI 1.0 Appendix A.1), mdoc elements under their
 * namespace (Appendix A.2; the card shows the first namespace), SD-JWT claims at the top.
 */
function cardClaims(type: CredentialType, verified: VerifiedCredential) {
  const kind = formatOf(verified.format)?.documentKind;
  if (kind === 'mdoc') {
    const [namespace = '', elements = {}] = Object.entries(verified.claims)[0] ?? [];
    return {
      claims: Object.fromEntries(
        Object.entries(elements as Record<string, unknown>).map(([k, v]) => [k, mdocValue(v)]),
      ),
      claimsMeta: type.claims
        .filter((c) => c.path.startsWith(`${namespace}.`))
        .map((c) => ({ ...c, path: c.path.slice(namespace.length + 1) })),
    };
  }
  if (kind === 'w3c') {
    return {
      claims: verified.personalClaims,
      claimsMeta: type.claims.map((c) => ({ ...c, path: c.path.replace(/^credentialSubject\./, '') })),
    };
  }
  return { claims: verified.personalClaims, claimsMeta: type.claims };
}

const seconds = (date: Date | undefined) => (date ? Math.floor(date.getTime() / 1000) : undefined);

/** Verifies what the issuer sent against the holder key it was asked for, and describes it for the card. */
export async function verifyAndDescribe(
  config: Config,
  keys: IssuerKeys,
  input: { catalog: IssuerCatalog; type: CredentialType; credential: string; holderJwk: JWK },
  holder: HolderMode,
): Promise<ObtainedCredential> {
  const { catalog, type, credential } = input;
  const verified = await verifyObtainedCredential(config, keys, credential, {
    issuer: catalog.issuer,
    format: type.format,
    vct: type.vct,
    holderJwk: input.holderJwk,
  });
  return {
    configurationId: type.id,
    credential,
    mediaType: formatOf(type.format)?.mediaType ?? 'application/octet-stream',
    format: type.format,
    typeName: type.name,
    issuerName: catalog.name,
    typeDisplay: type.display,
    issuerDisplay: catalog.display,
    ...cardClaims(type, verified),
    labels: type.labels,
    selectable: verified.disclosed,
    holder,
    issuer: catalog.issuer,
    issuedAt: seconds(verified.validFrom),
    expiresAt: seconds(verified.validUntil),
  };
}
