import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Commit } from '../../platform/db/index.js';
import { ProtocolError } from '../../platform/errors.js';
import type { DeferredStore } from '../deferred/store.js';
import { sendMaybeEncrypted } from '../encryption/body.js';
import type { ResponseEncrypter } from '../encryption/index.js';
import type { IssuanceOutcome } from '../issuance/index.js';
import type { NonceStore } from '../nonce-store.js';
import type { NotificationStore } from '../notification/store.js';
import { NONCE_RETRY_ERRORS } from '../vocabulary.js';
import type { Issuance } from './issue.js';

export interface RespondDeps {
  nonces: NonceStore;
  nonceTtl: number;
  deferred: DeferredStore;
  notifications: NotificationStore;
  /** How the protocol layer's own writes become durable (the database's group commit). */
  commit: Commit;
}

type Issued = Extract<IssuanceOutcome, { kind: 'issued' }>;

/**
 * The body of a successful (immediate or deferred) Credential Response: the credentials and the
 * notification id recorded against their ledger ids (§8.3, §11).
 */
export function deliveredBody(outcome: Issued, notificationId: string): Record<string, unknown> {
  return {
    credentials: outcome.credentials.map((credential) => ({ credential })),
    notification_id: notificationId,
  };
}

/** A fresh c_nonce in draft 13's response members (draft 13 §7.3). */
function freshNonce(deps: RespondDeps): { c_nonce: string; c_nonce_expires_in: number } {
  return { c_nonce: deps.nonces.issue(), c_nonce_expires_in: deps.nonceTtl };
}

/**
 * The Credential Response (§8.3): 200 with the credentials and their notification id (recorded in
 * the issuing transaction), or — when the
 * pipeline answers "pending" — 202 with a deferred transaction id the wallet polls with (§9). Draft-13
 * wallets also get one `credential` and the next c_nonce. Encrypted when the wallet asked (§10).
 */
export async function respond(
  request: FastifyRequest,
  reply: FastifyReply,
  { request: asked, outcome }: Issuance,
  owner: string,
  notificationId: string,
  encrypter: ResponseEncrypter | undefined,
  deps: RespondDeps,
): Promise<FastifyReply> {
  const configuration = asked.configurationId;
  if (outcome.kind === 'pending') {
    const transactionId = await deps.deferred.start(owner, {
      pending: asked,
      reference: outcome.reference,
      interval: outcome.interval,
    });
    request.log.info({ configuration }, 'issuance deferred');
    return sendMaybeEncrypted(
      reply,
      202,
      { transaction_id: transactionId, interval: outcome.interval },
      encrypter,
    );
  }
  const delivered = deliveredBody(outcome, notificationId);
  request.log.info({ configuration, count: outcome.credentials.length }, 'credentials issued');
  if (!asked.draft13) return sendMaybeEncrypted(reply, 200, delivered, encrypter);
  // Draft 13 §7.3: one `credential` and the next c_nonce, beside the 1.0 members (wallets between
  // the drafts, such as Sphereon's, send `proof` but read `credentials`).
  const body = { ...delivered, credential: outcome.credentials[0], ...freshNonce(deps) };
  return sendMaybeEncrypted(reply, 200, body, encrypter);
}

/**
 * Draft 13 §7.3.1.2: a proof or nonce error carries a fresh c_nonce for the retry. Any other error
 * (and every error of a 1.0 request) is rethrown to leave as usual.
 */
export async function respondWithRetryNonce(
  reply: FastifyReply,
  error: unknown,
  draft13: boolean,
  deps: RespondDeps,
): Promise<FastifyReply> {
  if (!draft13 || !(error instanceof ProtocolError) || !NONCE_RETRY_ERRORS.has(error.error)) throw error;
  return reply
    .status(400)
    .header('cache-control', 'no-store')
    .send({ ...error.toJSON(), ...freshNonce(deps) });
}
