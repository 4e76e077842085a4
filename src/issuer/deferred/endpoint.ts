import type { FastifyInstance } from 'fastify';
import { type AccessGuard, accessTokenOf, requireAccessToken } from '../access-guard.js';
import { ownerOf } from '../access-token.js';
import { resume } from '../credential/issue.js';
import { acceptJwtBodies, bodyReader } from '../encryption/body.js';
import type { IssuerEncryption } from '../encryption/index.js';
import type { CredentialConfigurationSource, IssuanceService } from '../issuance/index.js';
import { DEFERRED_PATH } from '../vocabulary.js';
import { DeferredRequestBody } from './parse-request.js';
import { resolveTransaction } from './resolve-transaction.js';
import { type DeferredRespondDeps, respondDeferred } from './respond.js';

export interface DeferredRouteDeps extends DeferredRespondDeps {
  guard: AccessGuard;
  encryption: IssuerEncryption;
  configurations: CredentialConfigurationSource;
  issuance: IssuanceService;
}

/**
 * Deferred Credential Endpoint (OpenID4VCI 1.0 §9), as its steps: authenticate (the shared guard) →
 * read (decrypt, schema) → resolve the caller's transaction → ask the pipeline again → respond
 * (pending again, or the credentials once).
 */
export function registerDeferredRoute(app: FastifyInstance, deps: DeferredRouteDeps): void {
  const read = bodyReader<DeferredRequestBody>(
    DeferredRequestBody,
    'invalid_credential_request',
    deps.encryption,
  );
  app.register(async (scope) => {
    acceptJwtBodies(scope);
    scope.post(DEFERRED_PATH, { onRequest: requireAccessToken(deps.guard) }, async (request, reply) => {
      const owner = ownerOf(accessTokenOf(request));
      const { body, encrypter } = await read(request);
      const transaction = await resolveTransaction(deps, body.transaction_id, owner);
      const outcome = await resume(deps.issuance, transaction);
      return respondDeferred(reply, transaction, outcome, encrypter, deps);
    });
  });
}
