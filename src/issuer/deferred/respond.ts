import type { FastifyReply } from 'fastify';
import { deliveredBody } from '../credential/respond.js';
import { sendMaybeEncrypted } from '../encryption/body.js';
import type { ResponseEncrypter } from '../encryption/index.js';
import type { IssuanceOutcome } from '../issuance/index.js';
import type { NotificationStore } from '../notification/store.js';
import { invalidTransaction, type OpenTransaction } from './resolve-transaction.js';
import type { DeferredStore } from './store.js';

export interface DeferredRespondDeps {
  deferred: DeferredStore;
  notifications: NotificationStore;
}

/**
 * Deferred Credential Response (§9.2): still pending → 202 with the same transaction id and an
 * interval; ready → the credentials, delivered once (the transaction ends with a conditional DELETE,
 * so of two instances racing only one delivers; the other answers `invalid_transaction_id`).
 */
export async function respondDeferred(
  reply: FastifyReply,
  transaction: OpenTransaction,
  outcome: IssuanceOutcome,
  encrypter: ResponseEncrypter | undefined,
  deps: DeferredRespondDeps,
): Promise<FastifyReply> {
  const { id, owner, pending } = transaction;
  if (outcome.kind === 'pending')
    return sendMaybeEncrypted(reply, 202, { transaction_id: id, interval: outcome.interval }, encrypter);
  if (!(await deps.deferred.finish(id))) throw invalidTransaction();
  const notificationId = await deps.notifications.create(
    owner,
    pending.configurationId,
    outcome.credentialIds,
  );
  const delivered = deliveredBody(outcome, notificationId);
  // Draft-13 wallets read one `credential` too.
  const body = pending.draft13 ? { ...delivered, credential: outcome.credentials[0] } : delivered;
  return sendMaybeEncrypted(reply, 200, body, encrypter);
}
