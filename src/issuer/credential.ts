import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config/index.js';
import { ProtocolError } from '../platform/errors.js';
import {
  type AccessToken,
  AccessTokenVerifier,
  insufficientScope,
  MissingTokenError,
} from './access-token.js';
import type { CredentialConfigurationSource, IssuanceService } from './issuance/index.js';
import { BATCH_SIZE, PROOF_SIGNING_ALGS } from './metadata.js';
import type { NonceStore } from './nonce-store.js';
import { verifyJwtProof } from './proofs/jwt-proof.js';

const Jwt = T.String({ minLength: 1, maxLength: 16384 });

/**
 * Credential Request (OpenID4VCI 1.0 §8.2), plus draft 13's single `proof` that deployed wallets
 * still send. Unknown members are ignored (additional properties allowed).
 */
const CredentialRequest = T.Object({
  credential_configuration_id: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  credential_identifier: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
  proofs: T.Optional(T.Object({ jwt: T.Optional(T.Array(Jwt, { minItems: 1, maxItems: BATCH_SIZE })) })),
  proof: T.Optional(T.Object({ proof_type: T.String({ maxLength: 50 }), jwt: T.Optional(Jwt) })),
});
type CredentialRequest = Static<typeof CredentialRequest>;

export interface CredentialRouteDeps {
  config: Config;
  configurations: CredentialConfigurationSource;
  tokens: AccessTokenVerifier;
  nonces: NonceStore;
  issuance: IssuanceService;
}

function badRequest(error: string, description: string): ProtocolError {
  return new ProtocolError(400, error, description);
}

/** The key proofs of a request, in either the 1.0 or the draft 13 shape. */
function proofJwts(body: CredentialRequest): string[] {
  if (body.proofs && body.proof)
    throw badRequest('invalid_credential_request', 'send either proofs or proof, not both');
  if (body.proof) {
    if (body.proof.proof_type !== 'jwt' || !body.proof.jwt)
      throw badRequest('invalid_proof', 'only jwt proofs are supported');
    return [body.proof.jwt];
  }
  // §8.3.1.2 (1): a missing proofs parameter is invalid_proof.
  if (!body.proofs) throw badRequest('invalid_proof', 'proofs is required');
  if (!body.proofs.jwt) throw badRequest('invalid_proof', 'only jwt proofs are supported');
  return body.proofs.jwt;
}

/**
 * Credential Endpoint (OpenID4VCI 1.0 §8): Bearer access token → configuration and scope →
 * key proofs → c_nonce (consumed once) → the person from the registry → one SD-JWT VC per proof,
 * each bound to its own key.
 */
export function registerCredentialRoute(app: FastifyInstance, deps: CredentialRouteDeps): void {
  const tokens = new WeakMap<FastifyRequest, AccessToken>();
  const issuer = deps.config.issuer.publicUrl;

  app.post<{ Body: CredentialRequest }>(
    '/credential',
    {
      schema: { body: CredentialRequest },
      // The token is checked before the body is even parsed: an unauthenticated caller learns nothing.
      onRequest: async (request: FastifyRequest, reply: FastifyReply) => {
        try {
          const raw = AccessTokenVerifier.bearer(request.headers.authorization);
          tokens.set(request, await deps.tokens.verify(raw));
        } catch (error) {
          if (!(error instanceof MissingTokenError)) throw error;
          // RFC 6750 §3.1: no credentials, so a bare challenge without an error code.
          return reply
            .status(401)
            .header('www-authenticate', 'Bearer')
            .header('cache-control', 'no-store')
            .send();
        }
      },
    },
    async (request, reply) => {
      const token = tokens.get(request) as AccessToken;
      const body = request.body;
      if (!body.credential_configuration_id) {
        if (body.credential_identifier) {
          throw badRequest(
            'unknown_credential_identifier',
            'credential identifiers are not issued by this issuer',
          );
        }
        throw badRequest('invalid_credential_request', 'credential_configuration_id is required');
      }
      const configuration = await deps.configurations.get(body.credential_configuration_id);
      if (!configuration) {
        throw badRequest('unknown_credential_configuration', 'unknown credential_configuration_id');
      }
      if (!token.scopes.has(configuration.scope)) throw insufficientScope(configuration.scope);

      const proofs = [];
      for (const jwt of proofJwts(body)) {
        proofs.push(
          await verifyJwtProof(jwt, {
            audience: issuer,
            algorithms: PROOF_SIGNING_ALGS,
            maxAgeSeconds: deps.config.issuer.proofMaxAge,
          }),
        );
      }
      // A batch exists to give the holder unlinkable copies: one key per credential (§8.2 `proofs`).
      const keys = new Set(proofs.map((p) => JSON.stringify(p.holderJwk)));
      if (keys.size !== proofs.length)
        throw badRequest('invalid_proof', 'each proof must be for a different key');
      // Only after every proof checks out: each distinct nonce is consumed once, atomically (§7).
      for (const nonce of new Set(proofs.map((p) => p.nonce))) {
        if (!(await deps.nonces.consume(nonce))) {
          throw badRequest('invalid_nonce', 'c_nonce is unknown, expired or already used');
        }
      }

      const outcome = await deps.issuance.issue({
        configuration,
        subject: { sub: token.subject, claims: token.payload as Record<string, unknown> },
        holderJwks: proofs.map((proof) => proof.holderJwk),
      });
      if (outcome.kind === 'pending') {
        // Deferred issuance (§9) is not offered yet: say so rather than pretend.
        throw new ProtocolError(503, 'temporarily_unavailable', 'the credential data is not available yet', {
          'retry-after': String(outcome.interval),
        });
      }
      const credentials = outcome.credentials.map((credential) => ({ credential }));
      request.log.info({ configuration: configuration.id, count: credentials.length }, 'credentials issued');
      return reply.header('cache-control', 'no-store').send({ credentials });
    },
  );
}
