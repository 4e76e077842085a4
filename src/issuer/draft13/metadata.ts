import { requireFormat } from '../../credentials/formats/index.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import { defaultFormatMetadata, issuerDisplay, type MetadataContext } from '../metadata.js';
import {
  CREDENTIAL_PATH,
  DEFERRED_PATH,
  DRAFT13_PATH,
  HAIP_ALGS,
  NOTIFICATION_PATH,
  PROOF_SIGNING_ALGS,
  TOKEN_PATH,
} from '../vocabulary.js';

/** Draft 13 claims are a nested object of display entries rather than a list of paths (Appendix A.3.2). */
function claimsTree(configuration: CredentialConfiguration): Record<string, unknown> {
  const tree: Record<string, unknown> = {};
  for (const claim of configuration.claims) {
    let node = tree;
    for (const segment of claim.path.slice(0, -1)) {
      node[segment] ??= {};
      node = node[segment] as Record<string, unknown>;
    }
    const leaf = claim.path.at(-1) as string;
    node[leaf] = {
      ...((node[leaf] as Record<string, unknown> | undefined) ?? {}),
      ...((claim as { mandatory?: boolean }).mandatory ? { mandatory: true } : {}),
      display: claim.display,
    };
  }
  return tree;
}

/**
 * The issuer as OpenID4VCI draft 13 describes it, for wallets that have not moved to 1.0 (Inji
 * Wallet among them): `vc+sd-jwt`, `display` and `claims` beside the format, a `token_endpoint`
 * for the pre-authorized grant, and no nonce endpoint (c_nonce comes in token and credential
 * responses). The credential endpoint is shared: it answers a draft-13 request in the draft-13 shape.
 */
export function buildDraft13Metadata(
  ctx: MetadataContext,
  configurations: Iterable<CredentialConfiguration>,
): Record<string, unknown> {
  const issuer = ctx.publicUrl;
  const supported: Record<string, unknown> = {};
  for (const c of configurations) {
    // Draft 13 predates the `dc+sd-jwt` media type (Appendix A.3) and has no `vc+jwt`: left out.
    const format = requireFormat(c.format).draft13Id;
    if (!format) continue;
    supported[c.id] = {
      format,
      scope: c.scope,
      ...(ctx.formatMetadata?.(c) ?? defaultFormatMetadata(c)),
      proof_types_supported: {
        jwt: { proof_signing_alg_values_supported: ctx.haip ? [...HAIP_ALGS] : [...PROOF_SIGNING_ALGS] },
      },
      display: c.display,
      claims: claimsTree(c),
    };
  }
  return {
    credential_issuer: `${issuer}${DRAFT13_PATH}`,
    // Draft-13 wallets (e.g. Sphereon's) take the first server for every grant: the issuer's own
    // comes first so offers with a pre-authorized code work; the configured ones follow.
    authorization_servers: [...new Set([issuer, ...ctx.authorizationServers])],
    token_endpoint: `${issuer}${TOKEN_PATH}`,
    credential_endpoint: `${issuer}${CREDENTIAL_PATH}`,
    deferred_credential_endpoint: `${issuer}${DEFERRED_PATH}`,
    notification_endpoint: `${issuer}${NOTIFICATION_PATH}`,
    credential_response_encryption: {
      ...ctx.encryption.responseMetadata(),
    },
    display: issuerDisplay(ctx),
    credential_configurations_supported: supported,
  };
}
