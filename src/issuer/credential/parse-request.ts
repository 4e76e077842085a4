import { type Static, Type as T } from '@sinclair/typebox';
import { ResponseEncryption } from '../encryption/index.js';
import { badRequest } from '../errors.js';
import type { ProofsInput } from '../proofs/index.js';
import { BATCH_SIZE, MAX_PROOF_JWT_LENGTH } from '../vocabulary.js';

const Jwt = T.String({ minLength: 1, maxLength: MAX_PROOF_JWT_LENGTH });

/**
 * The Credential Request body (OpenID4VCI 1.0 §8.2), and draft 13's `format` + single `proof` that
 * deployed wallets still send. Unknown members are ignored (additional properties allowed, §8.2).
 */
export const CredentialRequestBody = T.Object({
  credential_configuration_id: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  credential_identifier: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  proofs: T.Optional(
    T.Object({
      jwt: T.Optional(T.Array(Jwt, { minItems: 1, maxItems: BATCH_SIZE })),
      attestation: T.Optional(T.Array(Jwt, { minItems: 1, maxItems: 1 })),
      di_vp: T.Optional(T.Array(T.Unknown(), { minItems: 1, maxItems: BATCH_SIZE })),
    }),
  ),
  proof: T.Optional(
    T.Object({
      proof_type: T.String({ maxLength: 50 }),
      jwt: T.Optional(Jwt),
      attestation: T.Optional(Jwt),
    }),
  ),
  // Draft 13 (§7.2): the credential is named by format and type instead of a configuration id.
  format: T.Optional(T.String({ maxLength: 50 })),
  vct: T.Optional(T.String({ maxLength: 500 })),
  doctype: T.Optional(T.String({ maxLength: 500 })),
  credential_definition: T.Optional(
    T.Object({ type: T.Optional(T.Array(T.String({ maxLength: 500 }), { maxItems: 20 })) }),
  ),
  credential_response_encryption: T.Optional(ResponseEncryption),
});
export type CredentialRequestBody = Static<typeof CredentialRequestBody>;

/** How the wallet names the credential it wants. */
export type RequestedCredential =
  /** 1.0: an identifier the token's `authorization_details` issued (§8.2, §5.1.1). */
  | { by: 'identifier'; identifier: string }
  /** 1.0: a configuration of the metadata. */
  | { by: 'configuration'; id: string }
  /** Draft 13 (§7.2, Appendix A): a format plus its type member. */
  | { by: 'format'; format: string; vct?: string; doctype?: string; types?: readonly string[] };

/** One Credential Request, whichever version the wallet speaks. */
export interface CredentialRequest {
  credential: RequestedCredential;
  /** In the 1.0 shape; empty when the request has none (the proof step answers `invalid_proof`). */
  proofs: ProofsInput;
  /** The wallet speaks draft 13 (`format` or the single `proof`): it gets the draft-13 members too. */
  draft13: boolean;
}

/** Draft 13 requests name a `format` or send the single `proof`. */
export function isDraft13(body: CredentialRequestBody): boolean {
  return body.format !== undefined || body.proof !== undefined;
}

function requestedCredential(body: CredentialRequestBody): RequestedCredential {
  // An identifier wins: it names exactly what the token authorised.
  if (body.credential_identifier !== undefined)
    return { by: 'identifier', identifier: body.credential_identifier };
  if (body.credential_configuration_id !== undefined)
    return { by: 'configuration', id: body.credential_configuration_id };
  if (body.format !== undefined)
    return {
      by: 'format',
      format: body.format,
      vct: body.vct,
      doctype: body.doctype,
      types: body.credential_definition?.type,
    };
  throw badRequest(
    'invalid_credential_request',
    'credential_configuration_id or credential_identifier is required',
  );
}

function requestedProofs(body: CredentialRequestBody): ProofsInput {
  if (body.proofs && body.proof)
    throw badRequest('invalid_credential_request', 'send either proofs or proof, not both');
  if (!body.proof) return body.proofs ?? {};
  const { proof_type: type, jwt, attestation } = body.proof;
  if (type === 'jwt' && jwt) return { jwt: [jwt] };
  if (type === 'attestation' && attestation) return { attestation: [attestation] };
  throw badRequest('invalid_proof', 'unsupported or incomplete proof');
}

/**
 * Folds a schema-checked body, 1.0 or draft 13, into one request (as oid4vc-ts's
 * parse-credential-request.ts does). Pure: no I/O, no configuration lookup; what the names refer to
 * is the next step's question.
 */
export function parseCredentialRequest(body: CredentialRequestBody): CredentialRequest {
  return { credential: requestedCredential(body), proofs: requestedProofs(body), draft13: isDraft13(body) };
}
