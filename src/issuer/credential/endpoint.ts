import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import { type AccessGuard, accessTokenOf, requireAccessToken } from '../access-guard.js';
import { ownerOf } from '../access-token.js';
import { acceptJwtBodies, bodyReader } from '../encryption/body.js';
import type { IssuerEncryption } from '../encryption/index.js';
import type { CredentialConfigurationSource } from '../issuance/index.js';
import { NotificationStore } from '../notification/store.js';
import { type KeyAttestationTrust, verifyProofs } from '../proofs/index.js';
import type { JwtProofOptions } from '../proofs/jwt-proof.js';
import type { ProtocolTables } from '../protocol-database.js';
import { CREDENTIAL_PATH, DRAFT13_PATH, HAIP_ALGS, PROOF_SIGNING_ALGS } from '../vocabulary.js';
import { consumeNonces, requireGenuineNonces } from './consume-nonces.js';
import { type IssueDeps, issue } from './issue.js';
import { CredentialRequestBody, isDraft13, parseCredentialRequest } from './parse-request.js';
import { resolveConfiguration } from './resolve-configuration.js';
import { type RespondDeps, respond, respondWithRetryNonce } from './respond.js';

export interface CredentialRouteDeps extends IssueDeps, RespondDeps {
  guard: AccessGuard;
  encryption: IssuerEncryption;
  configurations: CredentialConfigurationSource;
  /** How old a key proof's `iat` may be, seconds. */
  proofMaxAge: number;
  /** HAIP mode (configuration `haip`): ES256 `jwt` and `attestation` proofs only. */
  haip?: boolean;
  attesters?: KeyAttestationTrust;
}

/**
 * Credential Endpoint (OpenID4VCI 1.0 §8; draft 13 §7), as its steps: authenticate (the shared access
 * token / DPoP guard) → read (decrypt, schema) → parse (1.0 and draft 13 into one request) → resolve
 * the configuration → verify the key proofs → check their nonces are genuine → issue, consuming the
 * nonces (a spent one fails the issuing transaction) and recording the notification id in the issuing transaction → respond.
 */
export function registerCredentialRoute(app: FastifyInstance, deps: CredentialRouteDeps): void {
  const read = bodyReader<CredentialRequestBody>(
    CredentialRequestBody,
    'invalid_credential_request',
    deps.encryption,
  );
  const proofOptions: JwtProofOptions = {
    // Appendix F.1 `aud`: the issuer identifier, or that of its draft-13 view.
    audience: [deps.publicUrl, `${deps.publicUrl}${DRAFT13_PATH}`],
    algorithms: deps.haip ? HAIP_ALGS : PROOF_SIGNING_ALGS,
    refuseDiVp: deps.haip,
    attestationAlgorithms: deps.haip ? HAIP_ALGS : undefined,
    maxAgeSeconds: deps.proofMaxAge,
    attesters: deps.attesters,
  };

  app.register(async (scope) => {
    acceptJwtBodies(scope);
    scope.post(CREDENTIAL_PATH, { onRequest: requireAccessToken(deps.guard) }, async (request, reply) => {
      const token = accessTokenOf(request);
      const { body, encrypter } = await read(request);
      try {
        const wanted = parseCredentialRequest(body);
        const configuration = await resolveConfiguration(wanted.credential, token, deps.configurations);
        const proven = await verifyProofs(wanted.proofs, proofOptions);
        const nonces = requireGenuineNonces(deps.nonces, proven.nonces);
        const owner = ownerOf(token);
        const notificationId = NotificationStore.newId();
        let recorded = false;
        const record = async (trx: Kysely<unknown>, credentialIds?: readonly string[]) => {
          await consumeNonces(trx, deps.nonces, nonces);
          if (credentialIds)
            await deps.notifications.createIn(
              trx as Kysely<ProtocolTables>,
              notificationId,
              owner,
              configuration.id,
              credentialIds,
            );
          recorded = true;
        };
        const issuance = await issue(deps, token, configuration, proven.keys, wanted.draft13, record);
        // An issuance service that answered "pending", or that does not take the caller's writes into
        // its transaction, leaves them to their own (the nonces are still spent before anything leaves).
        if (!recorded) {
          const { outcome } = issuance;
          await deps.commit((trx) =>
            record(trx, outcome.kind === 'issued' ? outcome.credentialIds : undefined),
          );
        }
        return await respond(request, reply, issuance, owner, notificationId, encrypter, deps);
      } catch (error) {
        return respondWithRetryNonce(reply, error, isDraft13(body), deps);
      }
    });
  });
}
