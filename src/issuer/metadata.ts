import type { FastifyInstance } from 'fastify';
import { requireFormat } from '../credentials/formats/index.js';
import { type SigningKey, signCompactJws } from '../platform/keys/index.js';
import type { CredentialConfiguration } from './configurations/index.js';
import type { IssuerEncryption } from './encryption/index.js';
import type { CredentialConfigurationSource } from './issuance/index.js';
import {
  BATCH_SIZE,
  CREDENTIAL_PATH,
  DEFERRED_PATH,
  DI_VP_SUITES,
  HAIP_ALGS,
  NONCE_PATH,
  NOTIFICATION_PATH,
  PROOF_SIGNING_ALGS,
  SIGNED_METADATA_TYP,
} from './vocabulary.js';

export interface MetadataContext {
  publicUrl: string;
  /** Authorization servers for the authorization code flow (listed first: wallets take the first). */
  authorizationServers: readonly string[];
  /** Issuer display per locale: name, logo (uri + alt_text), colours. */
  display: readonly { name: unknown; locale: unknown; logo?: unknown }[];
  signingAlg: string;
  encryption: IssuerEncryption;
  /** HAIP mode: ES256 `jwt` (and `attestation`) proofs only are advertised. */
  haip?: boolean;
  /** Key attestations are accepted (an `attestation` proof type is advertised). */
  attestations: boolean;
  /** The format signer's members (vct, credential_definition, doctype, signing and binding methods). */
  formatMetadata?: (configuration: CredentialConfiguration) => Record<string, unknown>;
}

/** Format members (Appendix A) when no signer registry is wired: the format's own, as the signers give them. */
export function defaultFormatMetadata(c: CredentialConfiguration): Record<string, unknown> {
  return requireFormat(c.format).metadata(c);
}

/** One entry of `credential_configurations_supported` (§12.2.4, Appendix A.3 for dc+sd-jwt). */
export function configurationMetadata(
  c: CredentialConfiguration,
  ctx: MetadataContext,
): Record<string, unknown> {
  const algs: string[] = ctx.haip ? [...HAIP_ALGS] : [...PROOF_SIGNING_ALGS];
  return {
    format: c.format,
    scope: c.scope,
    ...(ctx.formatMetadata?.(c) ?? defaultFormatMetadata(c)),
    proof_types_supported: {
      jwt: { proof_signing_alg_values_supported: algs },
      ...(ctx.haip ? {} : { di_vp: { proof_signing_alg_values_supported: [...DI_VP_SUITES] } }),
      ...(ctx.attestations
        ? { attestation: { proof_signing_alg_values_supported: algs, key_attestations_required: {} } }
        : {}),
    },
    credential_metadata: {
      display: c.display,
      claims: c.claims.map((claim) => ({
        path: claim.path,
        ...((claim as { mandatory?: boolean }).mandatory ? { mandatory: true } : {}),
        display: claim.display,
      })),
    },
  };
}

/** §12.2.4: the issuer's display is name, locale and logo (colours belong to credentials). */
export function issuerDisplay(ctx: MetadataContext): Record<string, unknown>[] {
  return ctx.display.map(({ name, locale, logo }) => ({ name, locale, ...(logo ? { logo } : {}) }));
}

/**
 * Credential Issuer Metadata (OpenID4VCI 1.0 §12.2.4). The issuer lists itself among the
 * authorization servers: it serves the pre-authorized code grant of its own offers (§6).
 */
export function buildIssuerMetadata(
  ctx: MetadataContext,
  configurations: Iterable<CredentialConfiguration>,
): Record<string, unknown> {
  const issuer = ctx.publicUrl;
  const supported: Record<string, unknown> = {};
  for (const c of configurations) supported[c.id] = configurationMetadata(c, ctx);
  return {
    credential_issuer: issuer,
    authorization_servers: [...new Set([...ctx.authorizationServers, issuer])],
    credential_endpoint: `${issuer}${CREDENTIAL_PATH}`,
    nonce_endpoint: `${issuer}${NONCE_PATH}`,
    deferred_credential_endpoint: `${issuer}${DEFERRED_PATH}`,
    notification_endpoint: `${issuer}${NOTIFICATION_PATH}`,
    credential_request_encryption: ctx.encryption.requestMetadata(),
    credential_response_encryption: ctx.encryption.responseMetadata(),
    batch_credential_issuance: { batch_size: BATCH_SIZE },
    display: issuerDisplay(ctx),
    credential_configurations_supported: supported,
  };
}

/** Re-reads configurations at most this often per instance (they may change through the admin API). */
const CACHE_MS = 5000;

/** A document built from the configuration source, cached briefly. */
export function cachedDocument(
  source: CredentialConfigurationSource,
  build: (configurations: CredentialConfiguration[]) => Record<string, unknown>,
): () => Promise<Record<string, unknown>> {
  let cached: { at: number; value: Promise<Record<string, unknown>> } | undefined;
  return () => {
    const now = Date.now();
    if (!cached || now - cached.at > CACHE_MS) {
      const value = source.list().then(build);
      cached = { at: now, value };
      value.catch(() => {
        cached = undefined;
      });
    }
    return cached.value;
  };
}

/**
 * Serves the metadata with CORS open (browser wallets read it), as JSON or — when the wallet asks
 * with `Accept: application/jwt` — as a JWT signed by the issuer key (§12.2.2, §12.2.3: `typ`
 * `openidvci-issuer-metadata+jwt`, `sub` the issuer identifier, `iat`, optional `iss` and `exp`).
 * §12.2.3 leaves key discovery to the wallet ("e.g., … `x5c`, `kid`"): the header's `kid` names a
 * key of the issuer's JWT VC Issuer Metadata JWKS (`/.well-known/jwt-vc-issuer`, SD-JWT VC §5), and
 * once a CA chain is imported for that key, `x5c` carries it (leaf first, without the trust anchor),
 * as HAIP 1.0 §4.1 asks for signed metadata.
 */
export function registerMetadataRoute(
  app: FastifyInstance,
  paths: readonly string[],
  document: () => Promise<Record<string, unknown>>,
  signer: () => Promise<{ key: SigningKey; certificates: readonly Buffer[] }>,
): void {
  for (const path of paths) {
    app.options(path, async (_request, reply) =>
      reply
        .status(204)
        .header('access-control-allow-origin', '*')
        .header('access-control-allow-methods', 'GET, OPTIONS')
        .header('access-control-allow-headers', 'accept, accept-language')
        .header('access-control-max-age', '600')
        .send(),
    );
    app.get(path, async (request, reply) => {
      const metadata = await document();
      reply.header('access-control-allow-origin', '*').header('vary', 'accept');
      const accept = request.headers.accept ?? '';
      if (/\bapplication\/jwt\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept)) {
        const now = Math.floor(Date.now() / 1000);
        const { key, certificates } = await signer();
        const jwt = await signCompactJws(
          key,
          {
            typ: SIGNED_METADATA_TYP,
            ...(certificates.length ? { x5c: certificates.map((der) => der.toString('base64')) } : {}),
          },
          {
            ...metadata,
            iss: metadata.credential_issuer,
            sub: metadata.credential_issuer,
            iat: now,
            exp: now + 86400,
          },
        );
        return reply.header('cache-control', 'public, max-age=300').type('application/jwt').send(jwt);
      }
      return reply.header('cache-control', 'public, max-age=300').type('application/json').send(metadata);
    });
  }
}
