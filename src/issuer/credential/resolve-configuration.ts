import { formatOf, isAlias, sameFormat } from '../../credentials/formats/index.js';
import { type AccessToken, insufficientScope } from '../access-token.js';
import type { CredentialConfiguration } from '../configurations/index.js';
import { badRequest } from '../errors.js';
import type { CredentialConfigurationSource } from '../issuance/index.js';
import type { RequestedCredential } from './parse-request.js';

type Draft13Request = Extract<RequestedCredential, { by: 'format' }>;

/** Draft 13 §7.2 / Appendix A: a configuration is named by format (or its alias) plus vct, doctype or type. */
function matchesDraft13(c: CredentialConfiguration, wanted: Draft13Request): boolean {
  if (!sameFormat(wanted.format, c.format)) return false;
  if (wanted.vct !== undefined && c.vct !== wanted.vct) return false;
  if (wanted.doctype !== undefined && c.doctype !== wanted.doctype) return false;
  if (wanted.types !== undefined) {
    const types = c.credentialDefinition?.type ?? [];
    if (wanted.types.length !== types.length || !wanted.types.every((t) => types.includes(t))) return false;
  }
  return true;
}

interface AuthorizationDetail {
  type?: unknown;
  credential_configuration_id?: unknown;
  credential_identifiers?: unknown;
}

/** The token's `openid_credential` authorization details (RFC 9396; OpenID4VCI 1.0 §5.1.1, §6.2). */
function authorizationDetails(token: AccessToken): AuthorizationDetail[] {
  const details = token.payload.authorization_details;
  return Array.isArray(details)
    ? details.filter(
        (d): d is AuthorizationDetail => typeof d === 'object' && d?.type === 'openid_credential',
      )
    : [];
}

async function byIdentifier(
  identifier: string,
  details: AuthorizationDetail[],
  source: CredentialConfigurationSource,
): Promise<CredentialConfiguration> {
  const detail = details.find(
    (d) => Array.isArray(d.credential_identifiers) && d.credential_identifiers.includes(identifier),
  );
  if (!detail || typeof detail.credential_configuration_id !== 'string')
    throw badRequest(
      'unknown_credential_identifier',
      'the credential_identifier was not issued with this token',
    );
  const configuration = await source.get(detail.credential_configuration_id);
  if (!configuration)
    throw badRequest('unknown_credential_identifier', 'the credential is no longer offered');
  return configuration;
}

async function byDraft13Format(
  wanted: Draft13Request,
  source: CredentialConfigurationSource,
): Promise<CredentialConfiguration> {
  if (!formatOf(wanted.format))
    throw badRequest('unsupported_credential_format', 'the credential format is not supported');
  const configuration = (await source.list()).find((c) => matchesDraft13(c, wanted));
  if (!configuration)
    throw badRequest('unsupported_credential_type', 'no credential of that type is offered');
  // A wallet that asks by a format's older name (`vc+sd-jwt`) predates the media type change: it
  // gets the credential under that name (the same SD-JWT VC with the older `typ`; docs/formats.md).
  if (isAlias(wanted.format))
    return { ...configuration, format: wanted.format as typeof configuration.format };
  return configuration;
}

/**
 * The configuration a request names, and whether the token authorises it (§8.2, §5.1.1): an
 * identifier must be one the token issued; a configuration id or draft-13 format must be offered and
 * either in the token's authorization details or within its scopes.
 */
export async function resolveConfiguration(
  wanted: RequestedCredential,
  token: AccessToken,
  source: CredentialConfigurationSource,
): Promise<CredentialConfiguration> {
  const details = authorizationDetails(token);
  if (wanted.by === 'identifier') return byIdentifier(wanted.identifier, details, source);
  let configuration: CredentialConfiguration | undefined;
  if (wanted.by === 'configuration') {
    configuration = await source.get(wanted.id);
    if (!configuration)
      throw badRequest('unknown_credential_configuration', 'unknown credential_configuration_id');
    // §8.2 says a wallet given credential identifiers uses them; deployed wallets (Sphereon's among
    // them) still name the configuration. Both name what the token authorises, so both are accepted.
  } else {
    configuration = await byDraft13Format(wanted, source);
  }
  const detailed = details.some((d) => d.credential_configuration_id === configuration.id);
  if (!detailed && !token.scopes.has(configuration.scope)) throw insufficientScope(configuration.scope);
  return configuration;
}
