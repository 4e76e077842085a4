import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction } from 'oidc-provider';
import { RegistryUnavailableError } from '../../platform/registry/index.js';
import { amrFor } from '../factors/acr.js';
import { type Locale, messagesFor } from '../i18n/index.js';
import { clearIdFailures } from '../storage/id-blocks.js';
import { clearLoginFailures } from '../storage/login-failures.js';
import { kbiPage, type SignInView } from '../views/login.js';
import { blocked, failedAttempt } from './attempts.js';
import { type ClientInfo, html, type SignIn } from './context.js';
import { answersWellFormed, identifyByFields } from './knowledge.js';

/**
 * Knowledge-based identification: the fields of the ACR's realm against that realm's registry
 * (src/authz/realms.ts); the account id is the realm's ID.
 */
export async function kbiLogin(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  context: { client: ClientInfo; acr: string; locale: Locale },
) {
  const { locale } = context;
  const m = messagesFor(locale);
  const body = request.body as Record<string, string>;
  const realm = signIn.realmOf(context.acr);
  const { idField, fields } = realm;
  const view: SignInView = {
    uid: interaction.uid,
    locale,
    clientName: context.client.name,
    values: { [idField.id]: body[idField.id] ?? '' },
  };
  const render = (error: string, note?: string) => kbiPage({ ...view, error, note }, fields);
  if (!answersWellFormed(fields, body)) return html(reply, 400, render(m.invalidForm));
  const individualId = (body[idField.id] ?? '').trim();
  const idHash = signIn.idHash(individualId, realm);
  if (await blocked(signIn, idHash)) {
    return failedAttempt(signIn, request, reply, interaction, locale, {
      reason: 'blocked',
      message: m.blocked,
      render,
    });
  }
  let identity: Awaited<ReturnType<typeof identifyByFields>>;
  try {
    identity = await identifyByFields(realm.registry, fields, body);
  } catch (error) {
    if (!(error instanceof RegistryUnavailableError)) throw error;
    request.log.warn({ interaction: interaction.uid, reason: error.message }, 'registry unavailable');
    return html(reply, 503, render(m.registryUnavailable));
  }
  if (!identity) {
    return failedAttempt(signIn, request, reply, interaction, locale, {
      idHash,
      reason: 'mismatch',
      message: m.mismatch,
      render,
    });
  }
  await clearLoginFailures(signIn.options.db, interaction.uid);
  await clearIdFailures(signIn.options.db, idHash);
  request.log.info({ interaction: interaction.uid, acr: context.acr }, 'signed in');
  return signIn.finishLogin(request, reply, {
    accountId: identity.individualId,
    acr: context.acr,
    amr: amrFor('kbi'),
  });
}
