import { setTimeout as sleep } from 'node:timers/promises';
import {
  answerFor,
  type DataProvider,
  DEFAULT_PENDING_INTERVAL,
  type ProviderAnswer,
  ProviderError,
} from './types.js';

export interface HttpProviderOptions {
  /** `{key}` is replaced by the URL-encoded lookup key. */
  url: string;
  timeoutMs?: number;
  retries?: number;
  headers?: Record<string, string>;
  /** Base of the exponential back-off between attempts (ms). */
  backoffMs?: number;
}

class Retryable extends Error {}

/**
 * An HTTP API answering GET <url with the key>: 200 with a JSON object → the record, 404 → no
 * record, 202 → pending (Retry-After seconds). Each attempt is bounded by a timeout; network errors,
 * timeouts and 5xx are retried a bounded number of times with exponential back-off.
 */
export class HttpProvider implements DataProvider {
  constructor(private readonly options: HttpProviderOptions) {}

  async lookup(key: string): Promise<ProviderAnswer> {
    const url = this.options.url.replaceAll('{key}', encodeURIComponent(key));
    const attempts = 1 + (this.options.retries ?? 2);
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.once(url);
      } catch (error) {
        if (!(error instanceof Retryable) || attempt >= attempts) {
          throw error instanceof ProviderError
            ? error
            : new ProviderError(
                `the HTTP data provider ${error instanceof Retryable ? error.message : 'failed'}`,
              );
        }
        await sleep((this.options.backoffMs ?? 100) * 2 ** (attempt - 1));
      }
    }
  }

  private async once(url: string): Promise<ProviderAnswer> {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { accept: 'application/json', ...this.options.headers },
        redirect: 'error',
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 3000),
      });
    } catch (error) {
      const timeout = (error as Error).name === 'TimeoutError';
      throw new Retryable(timeout ? 'timed out' : 'is unreachable');
    }
    if (response.status === 404) {
      await response.body?.cancel();
      return { kind: 'missing' };
    }
    if (response.status === 202) {
      await response.body?.cancel();
      const retryAfter = Number(response.headers.get('retry-after'));
      return {
        kind: 'pending',
        interval: Number.isInteger(retryAfter) && retryAfter > 0 ? retryAfter : DEFAULT_PENDING_INTERVAL,
      };
    }
    if (response.status >= 500) {
      await response.body?.cancel();
      throw new Retryable(`answered ${response.status}`);
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new ProviderError(`the HTTP data provider answered ${response.status}`);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw new ProviderError('the HTTP data provider sent malformed JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw new ProviderError('the HTTP data provider did not send a JSON object');
    }
    return answerFor(body as Record<string, unknown>);
  }
}
