import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction } from 'oidc-provider';
import { amrFor } from '../factors/acr.js';
import { verifyPassword } from '../factors/password.js';
import { type Locale, messagesFor } from '../i18n/index.js';
import { passwordPage, type SignInView } from '../views/login.js';
import { failedAttempt } from './attempts.js';
import { type ClientInfo, html, type SignIn } from './context.js';
import { answersWellFormed } from './knowledge.js';
import { lookUpUnlessBlocked, signedIn } from './sign-in-steps.js';

/**
 * Password sign-in: the individual ID and a password checked against the scrypt hash the registry
 * holds. An unknown ID, or one without a password, costs the same scrypt (a dummy hash) and gets
 * the same answer as a wrong password.
 */
export async function passwordLogin(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  context: { client: ClientInfo; acr: string; locale: Locale },
) {
  const { locale } = context;
  const m = messagesFor(locale);
  const body = request.body as Record<string, string>;
  const idField = signIn.idField;
  const view: SignInView = {
    uid: interaction.uid,
    locale,
    clientName: context.client.name,
    values: { [idField.id]: body[idField.id] ?? '' },
  };
  const render = (error: string, note?: string) => passwordPage({ ...view, error, note }, idField);
  const password = body.password;
  if (
    !answersWellFormed([idField], body) ||
    typeof password !== 'string' ||
    !password ||
    password.length > 200
  ) {
    return html(reply, 400, render(m.invalidForm));
  }
  const individualId = (body[idField.id] ?? '').trim();
  const idHash = signIn.idHash(individualId);
  const looked = await lookUpUnlessBlocked(signIn, request, reply, interaction, locale, {
    factor: 'password',
    idHash,
    render,
    lookup: () => signIn.options.registry.findByIndividualId(individualId),
  });
  if ('answered' in looked) return looked.answered;
  const identity = looked.found;
  const correct = await verifyPassword(password, identity?.passwordHash);
  if (!identity || !correct) {
    return failedAttempt(signIn, request, reply, interaction, locale, {
      factor: 'password',
      idHash,
      reason: 'mismatch',
      message: m.passwordMismatch,
      render,
    });
  }
  return signedIn(signIn, request, reply, interaction, {
    idHash,
    accountId: identity.individualId,
    acr: context.acr,
    amr: amrFor('password'),
  });
}
