import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { errors, type Interaction, type Provider } from 'oidc-provider';
import type { Config } from '../../platform/config/index.js';
import type { IdentityRegistry } from '../../platform/registry/index.js';
import type { AuthzTables } from '../storage/adapter.js';
import { clearLoginFailures, recordLoginFailure } from '../storage/login-failures.js';
import { messagePage } from '../views/html.js';
import { loginPage, MISMATCH_MESSAGE } from '../views/login.js';
import { grantRequested } from './consent.js';
import { identify } from './knowledge.js';

/** After this many wrong answers in one sign-in request, the request ends with access_denied. */
export const MAX_LOGIN_FAILURES = 5;

const Params = T.Object({ uid: T.String({ minLength: 1, maxLength: 100 }) });
type Params = Static<typeof Params>;

const LoginForm = T.Object({
  individual_id: T.String({ minLength: 1, maxLength: 64 }),
  full_name: T.String({ minLength: 1, maxLength: 200 }),
  date_of_birth: T.String({ pattern: '^[0-9]{4}-[0-9]{2}-[0-9]{2}$' }),
});
type LoginForm = Static<typeof LoginForm>;

const EXPIRED_TITLE = 'Sign-in request expired';
const EXPIRED_MESSAGE =
  'This sign-in request has expired or was already completed. Return to the service you came from and start again.';

export interface InteractionRoutesOptions {
  provider: Provider;
  registry: IdentityRegistry;
  db: Kysely<AuthzTables>;
  config: Config;
}

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

/**
 * The interaction pages oidc-provider sends the browser to: the knowledge-based sign-in form, the
 * (automatic) consent of the first-party client, and cancelling.
 */
export async function interactionRoutes(app: FastifyInstance, options: InteractionRoutesOptions) {
  const { provider, registry, db, config } = options;
  const clientName = (interaction: Interaction) => {
    const id = interaction.params.client_id;
    const client = config.authz.clients.find((c) => c.client_id === id);
    return client?.client_name ?? client?.client_id ?? 'A service';
  };

  /** The interaction of this browser (by its cookie), which must be the one in the URL. */
  const load = async (request: FastifyRequest<{ Params: Params }>, res: FastifyReply) => {
    try {
      const interaction = await provider.interactionDetails(request.raw, res.raw);
      return interaction.uid === request.params.uid ? interaction : undefined;
    } catch (error) {
      if (error instanceof errors.SessionNotFound) return undefined;
      throw error;
    }
  };

  app.get<{ Params: Params }>('/interaction/:uid', { schema: { params: Params } }, async (request, res) => {
    const interaction = await load(request, res);
    if (!interaction) return html(res, 400, messagePage(EXPIRED_TITLE, EXPIRED_MESSAGE));
    if (interaction.prompt.name === 'login') {
      return html(res, 200, loginPage({ uid: interaction.uid, clientName: clientName(interaction) }));
    }
    if (interaction.prompt.name === 'consent') {
      // The configured clients are first-party: what they ask for within their registration is
      // granted without a consent page (their scopes are bounded by config.authz.clients).
      const grantId = await grantRequested(provider, interaction);
      const returnTo = await provider.interactionResult(
        request.raw,
        res.raw,
        { consent: { grantId } },
        { mergeWithLastSubmission: true },
      );
      return res.header('cache-control', 'no-store').redirect(returnTo, 303);
    }
    return html(res, 400, messagePage(EXPIRED_TITLE, EXPIRED_MESSAGE));
  });

  app.post<{ Params: Params; Body: LoginForm }>(
    '/interaction/:uid/login',
    { schema: { params: Params, body: LoginForm }, attachValidation: true },
    async (request, res) => {
      const interaction = await load(request, res);
      if (interaction?.prompt.name !== 'login') {
        return html(res, 400, messagePage(EXPIRED_TITLE, EXPIRED_MESSAGE));
      }
      const view = { uid: interaction.uid, clientName: clientName(interaction) };
      if (request.validationError) {
        return html(
          res,
          400,
          loginPage({ ...view, error: 'Fill in all three fields. Enter the date as YYYY-MM-DD.' }),
        );
      }
      const form = request.body;
      const identity = await identify(registry, {
        individualId: form.individual_id,
        fullName: form.full_name,
        dateOfBirth: form.date_of_birth,
      });
      if (!identity) {
        const failures = await recordLoginFailure(db, interaction.uid, interaction.exp * 1000);
        // Logged without any of the answers: they are personal data.
        request.log.info({ interaction: interaction.uid, failures }, 'sign-in details did not match');
        if (failures >= MAX_LOGIN_FAILURES) {
          const returnTo = await provider.interactionResult(
            request.raw,
            res.raw,
            { error: 'access_denied', error_description: 'too many failed sign-in attempts' },
            { mergeWithLastSubmission: false },
          );
          return res.header('cache-control', 'no-store').redirect(returnTo, 303);
        }
        return html(
          res,
          200,
          loginPage({ ...view, individualId: form.individual_id, error: MISMATCH_MESSAGE }),
        );
      }
      await clearLoginFailures(db, interaction.uid);
      request.log.info({ interaction: interaction.uid }, 'signed in by knowledge-based identification');
      const returnTo = await provider.interactionResult(
        request.raw,
        res.raw,
        { login: { accountId: identity.individualId, amr: ['kba'] } },
        { mergeWithLastSubmission: false },
      );
      return res.header('cache-control', 'no-store').redirect(returnTo, 303);
    },
  );

  app.post<{ Params: Params }>(
    '/interaction/:uid/abort',
    { schema: { params: Params } },
    async (request, res) => {
      const interaction = await load(request, res);
      if (!interaction) return html(res, 400, messagePage(EXPIRED_TITLE, EXPIRED_MESSAGE));
      const returnTo = await provider.interactionResult(
        request.raw,
        res.raw,
        { error: 'access_denied', error_description: 'the End-User cancelled the sign-in' },
        { mergeWithLastSubmission: false },
      );
      return res.header('cache-control', 'no-store').redirect(returnTo, 303);
    },
  );
}
