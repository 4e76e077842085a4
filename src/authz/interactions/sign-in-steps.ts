import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction } from 'oidc-provider';
import { RegistryUnavailableError } from '../../platform/registry/index.js';
import type { Factor } from '../factors/acr.js';
import { clock } from '../factors/clock.js';
import { type Locale, lockTime, messagesFor } from '../i18n/index.js';
import { factorOfAmr, signIns } from '../metrics.js';
import type { AuthzTables } from '../storage/adapter.js';
import { clearIdFailures } from '../storage/id-blocks.js';
import { clearLoginFailures } from '../storage/login-failures.js';
import { beforeAnswer } from '../storage/request-writes.js';
import type { SignInTables } from '../storage/sign-in-tables.js';
import { blocked, type Failure, failedAttempt } from './attempts.js';
import { html, type SignIn } from './context.js';

/**
 * The step every factor takes before it checks a secret: a blocked ID is refused without touching
 * the registry (the same answer for known and unknown IDs), then the registry is asked; when it
 * cannot answer, the person gets a 503 page and the attempt is not counted against them.
 */
export async function lookUpUnlessBlocked<T>(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  locale: Locale,
  step: { factor: Factor; idHash: string; render: Failure['render']; lookup: () => Promise<T> },
): Promise<{ found: T } | { answered: unknown }> {
  const m = messagesFor(locale);
  const lockedUntil = await blocked(signIn, step.idHash);
  if (lockedUntil !== undefined) {
    return {
      answered: await failedAttempt(signIn, request, reply, interaction, locale, {
        factor: step.factor,
        reason: 'blocked',
        lockedUntil,
        message: m.blocked(lockTime(lockedUntil, clock.now())),
        render: step.render,
      }),
    };
  }
  try {
    return { found: await step.lookup() };
  } catch (error) {
    if (!(error instanceof RegistryUnavailableError)) throw error;
    request.log.warn({ interaction: interaction.uid, reason: error.message }, 'registry unavailable');
    return { answered: html(reply, 503, step.render(m.registryUnavailable)) };
  }
}

/** A factor succeeded: failure counts of the request and the ID are cleared, and the login ends. */
export async function signedIn(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  login: { idHash: string; accountId: string; acr: string; amr: string[] },
) {
  // One unit, committed before the answer with the step's other writes (after-writes.ts): on
  // SQLite in the same group commit as the interaction's result, not two commits of their own.
  const { db, commit } = signIn.options;
  const clear = async (handle: typeof db) => {
    await clearLoginFailures(handle, interaction.uid);
    await clearIdFailures(handle, login.idHash);
  };
  await beforeAnswer('SignInFailures', commit ? commit<void, AuthzTables & SignInTables>(clear) : clear(db));
  request.log.info({ interaction: interaction.uid, acr: login.acr }, 'signed in');
  signIns.inc({ factor: factorOfAmr(login.amr) });
  return signIn.finishLogin(reply, interaction, {
    accountId: login.accountId,
    acr: login.acr,
    amr: login.amr,
  });
}
