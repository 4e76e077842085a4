import type { FastifyInstance } from 'fastify';
import type { Config } from '../platform/config/index.js';
import type { SigningAlgorithm } from '../platform/keys/index.js';
import type { CredentialConfiguration } from './configurations/index.js';

/** Proof signing algorithms accepted in `openid4vci-proof+jwt` (never `none`, never symmetric). */
export const PROOF_SIGNING_ALGS = ['ES256', 'EdDSA'] as const;
/** Most key proofs (so credentials) one request may carry (OpenID4VCI 1.0 §12.2.4 `batch_size`). */
export const BATCH_SIZE = 10;

export const CREDENTIAL_ISSUER_METADATA_PATH = '/.well-known/openid-credential-issuer';

/**
 * Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4). Built once: it depends on configuration
 * only, and the issuer identifier has no path, so the well-known URL is a plain suffix (§12.2.2).
 */
export function buildIssuerMetadata(
  config: Config,
  configurations: Iterable<CredentialConfiguration>,
  signingAlg: SigningAlgorithm,
): Record<string, unknown> {
  const issuer = config.issuer.publicUrl;
  const supported: Record<string, unknown> = {};
  for (const c of configurations) {
    supported[c.id] = {
      format: c.format,
      scope: c.scope,
      vct: c.vct,
      // Every credential is bound to a JWK in `cnf`, also when the proof names a did:jwk/did:key.
      cryptographic_binding_methods_supported: ['jwk'],
      credential_signing_alg_values_supported: [signingAlg],
      proof_types_supported: { jwt: { proof_signing_alg_values_supported: [...PROOF_SIGNING_ALGS] } },
      credential_metadata: {
        display: c.display,
        claims: c.claims.map((claim) => ({ path: claim.path, display: claim.display })),
      },
    };
  }
  return {
    credential_issuer: issuer,
    authorization_servers: config.issuer.authorizationServers,
    credential_endpoint: `${issuer}/credential`,
    nonce_endpoint: `${issuer}/nonce`,
    batch_credential_issuance: { batch_size: BATCH_SIZE },
    display: config.issuer.display,
    credential_configurations_supported: supported,
  };
}

export function registerMetadataRoute(app: FastifyInstance, metadata: Record<string, unknown>): void {
  const body = JSON.stringify(metadata);
  app.get(CREDENTIAL_ISSUER_METADATA_PATH, async (_request, reply) =>
    reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'public, max-age=300')
      .type('application/json')
      .send(body),
  );
}
