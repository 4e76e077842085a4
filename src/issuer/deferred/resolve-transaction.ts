import type { CredentialConfiguration } from '../configurations/index.js';
import { badRequest } from '../errors.js';
import type { CredentialConfigurationSource } from '../issuance/index.js';
import type { DeferredStore, PendingIssuance } from './store.js';

/** §9.3: one answer for every id the caller may not use, so ids cannot be probed. */
export const invalidTransaction = () =>
  badRequest('invalid_transaction_id', 'the transaction id is unknown, already used or not yours');

/** A deferred transaction the caller may collect, with what the pipeline needs to be asked again. */
export interface OpenTransaction {
  id: string;
  owner: string;
  configuration: CredentialConfiguration;
  pending: PendingIssuance;
  /** The pipeline's own reference from its "pending" answer. */
  reference?: string;
}

/**
 * The caller's open transaction and its configuration: unknown, expired, delivered or someone
 * else's ids — and a configuration no longer offered — are `invalid_transaction_id`.
 */
export async function resolveTransaction(
  deps: { deferred: DeferredStore; configurations: CredentialConfigurationSource },
  id: string,
  owner: string,
): Promise<OpenTransaction> {
  const transaction = await deps.deferred.get(id, owner);
  if (!transaction) throw invalidTransaction();
  const configuration = await deps.configurations.get(transaction.pending.configurationId);
  if (!configuration) throw invalidTransaction();
  return { id, owner, configuration, pending: transaction.pending, reference: transaction.reference };
}
