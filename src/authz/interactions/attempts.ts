import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction } from 'oidc-provider';
import type { Factor } from '../factors/acr.js';
import { clock } from '../factors/clock.js';
import { type Locale, messagesFor } from '../i18n/index.js';
import { lockouts, signInFailures } from '../metrics.js';
import { blockedUntil, recordIdFailure } from '../storage/id-blocks.js';
import { recordLoginFailure } from '../storage/login-failures.js';
import { html, type SignIn } from './context.js';

/** Until when (epoch ms) the ID is blocked, if it is blocked now (known or unknown IDs alike). */
export function blocked(signIn: SignIn, idHash: string): Promise<number | undefined> {
  return blockedUntil(signIn.options.db, idHash, clock.now());
}

/**
 * `error_description` of the access_denied that ends a request after too many failures. When the ID
 * tried is now locked, it says until when (ISO 8601, UTC), so the client can tell the person when to
 * try again; it never says which answer was wrong.
 */
export function tooManyAttemptsDescription(until: number | undefined): string {
  const base = 'too many failed sign-in attempts';
  return until === undefined ? base : `${base}; locked until ${new Date(until).toISOString()}`;
}

export interface Failure {
  /** The factor tried (metrics label). */
  factor: Factor;
  /** The keyed hash of the ID tried, counted towards its lockout; none for a blocked ID. */
  idHash?: string;
  /** A blocked ID: until when it is blocked (epoch ms). */
  lockedUntil?: number;
  /** The English-free reason for logs (no personal data). */
  reason: string;
  /** The message shown (before "n attempts left"). */
  message: string;
  /** Renders the page again with an error message. */
  render(error: string, note?: string): string;
}

/**
 * A failed attempt: counted for the request (at most `maxAttempts`, then access_denied goes back to
 * the client) and for the ID (lockout shared by every instance). The answer never says whether
 * the ID exists.
 */
export async function failedAttempt(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  locale: Locale,
  failure: Failure,
) {
  const { db } = signIn.options;
  const { maxAttempts, lockout } = signIn.login;
  const failures = await recordLoginFailure(db, interaction.uid, interaction.exp * 1000);
  const { factor, reason } = failure;
  if (failure.idHash) {
    const locked = await recordIdFailure(db, failure.idHash, clock.now(), {
      failures: lockout.failures,
      durationMs: lockout.seconds * 1000,
    });
    if (locked) {
      lockouts.inc({ factor });
      request.log.warn(
        { interaction: interaction.uid, factor, seconds: lockout.seconds },
        'sign-in locked out',
      );
    }
  }
  signInFailures.inc({ factor, reason });
  // At warn, so that alerts on warnings see credential stuffing; without any of the answers
  // (they are personal data) and without the ID's hash.
  request.log.warn({ interaction: interaction.uid, factor, failures, reason }, 'sign-in attempt failed');
  if (failures >= maxAttempts) {
    const until = failure.idHash ? await blocked(signIn, failure.idHash) : failure.lockedUntil;
    return signIn.finishWithError(reply, interaction, 'access_denied', tooManyAttemptsDescription(until));
  }
  const m = messagesFor(locale);
  return html(reply, 200, failure.render(failure.message, m.attemptsLeft(maxAttempts - failures)));
}
