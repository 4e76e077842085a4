/** What a data provider answers for one lookup key. */
export type ProviderAnswer =
  | { kind: 'found'; record: Record<string, unknown> }
  | { kind: 'missing' }
  /** The data is not ready (e.g. a back office still processing): the issuer defers issuance. */
  | { kind: 'pending'; interval: number };

/** One interface for every source of credential data. */
export interface DataProvider {
  lookup(key: string): Promise<ProviderAnswer>;
}

/** The provider could not answer (timeout, outage, ambiguous data): not the holder's fault. */
export class ProviderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderError';
  }
}

/** Seconds a wallet waits before asking again, when a record says `_status: "pending"`. */
export const DEFAULT_PENDING_INTERVAL = 60;

/** A record may itself say it is not ready (`_status: "pending"`, optional `_retry_after` seconds). */
export function answerFor(record: Record<string, unknown>): ProviderAnswer {
  if (record._status === 'pending') {
    const interval = Number(record._retry_after);
    return {
      kind: 'pending',
      interval: Number.isInteger(interval) && interval > 0 ? interval : DEFAULT_PENDING_INTERVAL,
    };
  }
  return { kind: 'found', record };
}
