import type { JWK } from 'jose';
import { resolveDidUrlToJwk } from '../did/index.js';
import type { CredentialFormatId } from '../formats/ids.js';
import type { VerifiedCredential } from '../formats/types.js';
import type { DataModelCheck } from './data-model.js';

/** The holder key a subject id names, when it is a self-describing DID (did:jwk, did:key). */
function subjectJwk(id: unknown): JWK | undefined {
  if (typeof id !== 'string' || !(id.startsWith('did:jwk:') || id.startsWith('did:key:'))) return undefined;
  try {
    return resolveDidUrlToJwk(id);
  } catch {
    return undefined;
  }
}

/** `issuer` as a W3C credential names it: a string, or an object with an `id`. */
export function w3cIssuerOf(credential: unknown): string | undefined {
  const issuer = (credential as { issuer?: unknown } | undefined)?.issuer;
  if (typeof issuer === 'string') return issuer;
  const id = (issuer as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' ? id : undefined;
}

/** A verified W3C credential (either securing mechanism) in the verify core's terms. */
export function verifiedW3cCredential(
  format: CredentialFormatId,
  model: DataModelCheck,
  credential: Record<string, unknown>,
): VerifiedCredential {
  const subjects = credential.credentialSubject;
  const subject = (Array.isArray(subjects) ? subjects[0] : subjects) as Record<string, unknown>;
  const { id, ...personal } = subject;
  const holderJwk = subjectJwk(id);
  return {
    format,
    issuer: model.issuer,
    claims: subjects as Record<string, unknown>,
    personalClaims: personal,
    disclosed: [],
    ...(model.validFrom ? { validFrom: model.validFrom } : {}),
    ...(model.validUntil ? { validUntil: model.validUntil } : {}),
    ...(holderJwk ? { holderJwk } : {}),
    ...(credential.credentialStatus !== undefined ? { status: credential.credentialStatus } : {}),
  };
}
