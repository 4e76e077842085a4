import type { JWK } from 'jose';
import type { Config } from '../../platform/config/index.js';
import type { CredentialType, IssuerCatalog } from '../catalog/issuer-metadata.js';
import { UpstreamError } from '../errors.js';
import type { ObtainedCredential } from '../store/credential-store.js';
import type { HolderMode } from '../store/flow-store.js';
import { type AccessGrant, fetchNonce, requestCredential } from './credential-request.js';
import { holderKeyFor, publicMembers, signProof } from './holder-proof.js';
import type { IssuerKeys } from './issuer-keys.js';
import { type VerifiedCredential, verifyObtainedCredential } from './verify-credential.js';
import { verifyOtherFormat } from './verify-other-formats.js';

/** Formats the portal can verify and show; other configurations are not offered. */
export const SUPPORTED_FORMATS = new Set(['dc+sd-jwt', 'vc+sd-jwt', 'jwt_vc_json', 'ldp_vc', 'mso_mdoc']);
const SD_JWT_FORMATS = new Set(['dc+sd-jwt', 'vc+sd-jwt']);

/** Media types of the raw download per format. */
const MEDIA_TYPES: Record<string, string> = {
  'dc+sd-jwt': 'application/dc+sd-jwt',
  'vc+sd-jwt': 'application/dc+sd-jwt',
  jwt_vc_json: 'application/vc+jwt',
  ldp_vc: 'application/vc+ld+json',
  mso_mdoc: 'text/plain; charset=utf-8',
};

/** Claims of the JWT and SD-JWT machinery, not of the person (RFC 7519 §4.1, SD-JWT VC §3.2.2). */
export const TECHNICAL_CLAIMS = new Set([
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

/** Verifies what the issuer sent against the holder key it was asked for, and describes it for the card. */
export async function verifyAndDescribe(
  config: Config,
  keys: IssuerKeys,
  input: { catalog: IssuerCatalog; type: CredentialType; credential: string; holderJwk: JWK },
  holder: HolderMode,
): Promise<ObtainedCredential> {
  const { catalog, type, credential } = input;
  if (!SD_JWT_FORMATS.has(type.format)) {
    const checked = await verifyOtherFormat(config, catalog, type, credential, input.holderJwk);
    return {
      configurationId: type.id,
      credential,
      mediaType: MEDIA_TYPES[type.format] ?? 'application/octet-stream',
      format: type.format,
      typeName: type.name,
      issuerName: catalog.name,
      typeDisplay: type.display,
      issuerDisplay: catalog.display,
      claimsMeta: checked.claimsMeta,
      claims: checked.claims,
      labels: type.labels,
      selectable: [],
      holder,
      issuer: catalog.issuer,
      issuedAt: checked.issuedAt,
      expiresAt: checked.expiresAt,
    };
  }
  const verified = await verifyObtainedCredential(keys, credential, {
    issuer: catalog.issuer,
    vct: type.vct,
    holderJwk: input.holderJwk,
  });
  return describe(catalog, type, credential, verified, holder);
}

export function describe(
  catalog: IssuerCatalog,
  type: CredentialType,
  credential: string,
  verified: VerifiedCredential,
  holder: HolderMode,
): ObtainedCredential {
  const personal = Object.fromEntries(
    Object.entries(verified.claims as Record<string, unknown>).filter(
      ([name]) => !TECHNICAL_CLAIMS.has(name),
    ),
  );
  const payload = verified.payload as { iat?: unknown; exp?: unknown };
  return {
    configurationId: type.id,
    credential,
    mediaType: 'application/dc+sd-jwt',
    format: type.format,
    typeName: type.name,
    issuerName: catalog.name,
    typeDisplay: type.display,
    issuerDisplay: catalog.display,
    claimsMeta: type.claims,
    claims: personal,
    labels: type.labels,
    selectable: [
      ...new Set(verified.disclosures.map((d) => d.name).filter((n): n is string => n !== undefined)),
    ],
    holder,
    issuer: catalog.issuer,
    issuedAt: typeof payload.iat === 'number' ? payload.iat : undefined,
    expiresAt: typeof payload.exp === 'number' ? payload.exp : undefined,
  };
}
