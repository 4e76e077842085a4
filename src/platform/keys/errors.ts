import { ProtocolError } from '../errors.js';

/**
 * A signing key that exists but cannot sign right now (its HSM token is absent, refused the login,
 * or lost its session). Leaves as HTTP 503 with Retry-After and OAuth-style JSON
 * (`temporarily_unavailable`, RFC 6749 §4.1.2.1's code for a transient server condition): the
 * client may retry the same request later. The description is generic; the reason (module, slot,
 * PKCS#11 return value) goes to the log and to readiness, never to the client.
 */
export class KeyUnavailableError extends ProtocolError {
  constructor(
    readonly reason: string,
    readonly retryAfterSeconds: number,
  ) {
    super(503, 'temporarily_unavailable', 'the signing key is temporarily unavailable, retry later', {
      'retry-after': String(retryAfterSeconds),
    });
    this.name = 'KeyUnavailableError';
    // For logs and start-up output only: clients see `toJSON()` (the generic description).
    this.message = `signing key unavailable: ${reason}`;
  }
}

/** Whether `error` or any error in its `cause` chain is a KeyUnavailableError (libraries may wrap it). */
export function findKeyUnavailable(error: unknown): KeyUnavailableError | undefined {
  for (let e = error, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof KeyUnavailableError) return e;
  }
  return undefined;
}
