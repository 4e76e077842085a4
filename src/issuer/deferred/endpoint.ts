import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AccessToken } from '../access-token.js';
import { badRequest, type CredentialRouteDeps, deliveredBody, ownerOf } from '../credential.js';
import { acceptJwtBodies, bodyReader, sendMaybeEncrypted } from '../encryption/body.js';
import { ResponseEncryption } from '../encryption/index.js';
import { authenticate } from '../token/authenticate.js';
import { DEFERRED_PATH } from '../vocabulary.js';

const DeferredRequest = T.Object({
  transaction_id: T.String({ minLength: 1, maxLength: 100 }),
  credential_response_encryption: T.Optional(ResponseEncryption),
});
type DeferredRequest = Static<typeof DeferredRequest>;

const invalidTransaction = () =>
  badRequest('invalid_transaction_id', 'the transaction id is unknown, already used or not yours');

/**
 * Deferred Credential Endpoint (OpenID4VCI 1.0 §9): the pipeline is asked again; still pending → 202
 * with the same transaction id and an interval; ready → the credentials, once (a transaction ends
 * when delivered, and any later use is `invalid_transaction_id`).
 */
export function registerDeferredRoute(app: FastifyInstance, deps: CredentialRouteDeps): void {
  const tokens = new WeakMap<FastifyRequest, AccessToken>();
  const read = bodyReader<DeferredRequest>(DeferredRequest, 'invalid_credential_request', deps.encryption);
  app.register(async (scope) => {
    acceptJwtBodies(scope);
    scope.post(
      DEFERRED_PATH,
      {
        onRequest: async (request, reply) => {
          const token = await authenticate(deps.auth, request, reply);
          if (token) tokens.set(request, token);
        },
      },
      async (request, reply) => {
        const token = tokens.get(request) as AccessToken;
        const { body, encrypter } = await read(request);
        const owner = ownerOf(token);
        const transaction = await deps.deferred.get(body.transaction_id, owner);
        if (!transaction) throw invalidTransaction();
        const { pending } = transaction;
        const configuration = await deps.configurations.get(pending.configurationId);
        if (!configuration) throw invalidTransaction();
        const outcome = await deps.issuance.issue({
          configuration,
          subject: pending.subject,
          holderJwks: pending.holderJwks,
          offeredClaims: pending.offeredClaims,
          resume: transaction.reference,
        });
        if (outcome.kind === 'pending') {
          return sendMaybeEncrypted(
            reply,
            202,
            { transaction_id: body.transaction_id, interval: outcome.interval },
            encrypter,
          );
        }
        // Another instance may have delivered in the meantime: only one delivery counts.
        if (!(await deps.deferred.finish(body.transaction_id))) throw invalidTransaction();
        const delivered = await deliveredBody(outcome, configuration.id, owner, deps.notifications);
        if (pending.draft13) {
          return sendMaybeEncrypted(
            reply,
            200,
            { ...delivered, credential: outcome.credentials[0] },
            encrypter,
          );
        }
        return sendMaybeEncrypted(reply, 200, delivered, encrypter);
      },
    );
  });
}
