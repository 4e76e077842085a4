import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction } from 'oidc-provider';
import type { Locale } from '../i18n/index.js';
import { findChallenge } from '../storage/otp-challenges.js';
import { kbiPage, otpRequestPage, passwordPage, type SignInView } from '../views/login.js';
import { answersAfterWrites } from './after-writes.js';
import { decideConsent, showConsent } from './consent.js';
import { html, SignIn, type SignInOptions, type UidRequest } from './context.js';
import { kbiLogin } from './kbi-login.js';
import { otpResend, otpStart, otpVerify, renderCodePage } from './otp-login.js';
import { passwordLogin } from './password-login.js';

/** Answers per form are bounded; each factor checks its own fields against the configuration. */
const Form = T.Record(T.String({ maxLength: 64 }), T.String({ maxLength: 1000 }), { maxProperties: 20 });
const Params = T.Object({ uid: T.String({ minLength: 1, maxLength: 100 }) });
const Query = T.Object({ lang: T.Optional(T.String({ maxLength: 35 })) });
type Params = Static<typeof Params>;

type Step = (
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  context: { client: Awaited<ReturnType<SignIn['client']>>; acr: string; locale: Locale },
) => Promise<unknown>;

export type { SignInOptions as InteractionRoutesOptions } from './context.js';

/**
 * The interaction pages oidc-provider sends the browser to: sign-in with the factor the client's
 * ACR selects (knowledge-based, password, one-time code), consent, cancelling. POSTs are
 * rate-limited per client IP.
 */
export async function interactionRoutes(app: FastifyInstance, options: SignInOptions) {
  const signIn = new SignIn(options);
  // Adapter writes left to the answer are committed before it is sent (after-writes.ts).
  const answeredAfterWrites = answersAfterWrites(app);
  const { rateLimit: limits } = signIn.login;
  const limited = { rateLimit: { max: limits.max, timeWindow: limits.windowSeconds * 1000 } };

  /** The sign-in page for the interaction's factor (or the code page once a code was sent). */
  const signInPage = async (interaction: Interaction, locale: Locale) => {
    const client = await signIn.client(interaction, locale);
    const { acr, factor } = signIn.acrOf(interaction, client);
    const realm = signIn.realmOf(acr);
    const hint = interaction.params.login_hint;
    const view: SignInView = {
      uid: interaction.uid,
      locale,
      clientName: client.name,
      values: typeof hint === 'string' && hint.length <= 64 ? { [realm.idField.id]: hint } : undefined,
    };
    if (factor === 'password') return passwordPage(view, signIn.idField);
    if (factor === 'otp') {
      const challenge = await findChallenge(options.db, interaction.uid);
      if (challenge) return renderCodePage(signIn, interaction, challenge, { client, locale });
      return otpRequestPage(view, signIn.idField);
    }
    return kbiPage(view, realm.fields);
  };

  app.get<{ Params: Params; Querystring: Static<typeof Query> }>(
    '/interaction/:uid',
    { schema: { params: Params, querystring: Query } },
    answeredAfterWrites(async (request, reply) => {
      const interaction = await signIn.load(request as UidRequest, reply);
      const locale = signIn.locale(request, interaction);
      if (interaction?.prompt.name === 'login')
        return html(reply, 200, await signInPage(interaction, locale));
      if (interaction?.prompt.name === 'consent') return showConsent(signIn, reply, interaction, locale);
      return signIn.expired(reply, locale);
    }),
  );

  /** A POST step of the login prompt, with the interaction, client, ACR and language resolved. */
  const loginStep = (path: string, step: (factor: string) => Step | undefined) =>
    app.post<{ Params: Params }>(
      `/interaction/:uid/${path}`,
      { schema: { params: Params, body: Form }, attachValidation: true, config: limited },
      answeredAfterWrites(async (request, reply) => {
        const interaction = await signIn.load(request as UidRequest, reply);
        const locale = signIn.locale(request, interaction);
        if (interaction?.prompt.name !== 'login') return signIn.expired(reply, locale);
        const client = await signIn.client(interaction, locale);
        const { acr, factor } = signIn.acrOf(interaction, client);
        const handler = step(factor);
        if (!handler) return signIn.expired(reply, locale);
        if (request.validationError) request.body = {};
        return handler(signIn, request, reply, interaction, { client, acr, locale });
      }),
    );

  loginStep('login', (factor) => ({ kbi: kbiLogin, password: passwordLogin, otp: otpStart })[factor]);
  loginStep('otp', (factor) => (factor === 'otp' ? otpVerify : undefined));
  loginStep('otp/resend', (factor) => (factor === 'otp' ? otpResend : undefined));

  app.post<{ Params: Params }>(
    '/interaction/:uid/consent',
    { schema: { params: Params, body: Form }, attachValidation: true, config: limited },
    answeredAfterWrites(async (request, reply) => {
      const interaction = await signIn.load(request as UidRequest, reply);
      const locale = signIn.locale(request, interaction);
      if (interaction?.prompt.name !== 'consent' || request.validationError)
        return signIn.expired(reply, locale);
      const decision = (request.body as Record<string, string>).decision ?? '';
      return decideConsent(signIn, request, reply, interaction, decision);
    }),
  );

  app.post<{ Params: Params }>(
    '/interaction/:uid/abort',
    { schema: { params: Params, body: T.Optional(Form) }, attachValidation: true, config: limited },
    answeredAfterWrites(async (request, reply) => {
      const interaction = await signIn.load(request as UidRequest, reply);
      if (!interaction) return signIn.expired(reply, signIn.locale(request));
      return signIn.finishWithError(
        reply,
        interaction,
        'access_denied',
        'the End-User cancelled the sign-in',
      );
    }),
  );
}
