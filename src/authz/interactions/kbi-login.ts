import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction } from 'oidc-provider';
import { amrFor } from '../factors/acr.js';
import { type Locale, messagesFor } from '../i18n/index.js';
import { kbiPage, type SignInView } from '../views/login.js';
import { failedAttempt } from './attempts.js';
import { type ClientInfo, html, type SignIn } from './context.js';
import { answersWellFormed, identifyByFields } from './knowledge.js';
import { lookUpUnlessBlocked, signedIn } from './sign-in-steps.js';

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
  const looked = await lookUpUnlessBlocked(signIn, request, reply, interaction, locale, {
    factor: 'kbi',
    idHash,
    render,
    lookup: () => identifyByFields(realm.registry, fields, body),
  });
  if ('answered' in looked) return looked.answered;
  const identity = looked.found;
  if (!identity) {
    return failedAttempt(signIn, request, reply, interaction, locale, {
      factor: 'kbi',
      idHash,
      reason: 'mismatch',
      message: m.mismatch,
      render,
    });
  }
  return signedIn(signIn, request, reply, interaction, {
    idHash,
    accountId: identity.individualId,
    acr: context.acr,
    amr: amrFor('kbi'),
  });
}
