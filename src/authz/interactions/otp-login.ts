import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction } from 'oidc-provider';
import { type Identity, RegistryUnavailableError } from '../../platform/registry/index.js';
import { amrFor } from '../factors/acr.js';
import { clock } from '../factors/clock.js';
import {
  codeHash,
  decoyDestination,
  generateCode,
  maskEmail,
  maskPhone,
  OTP_LENGTH,
} from '../factors/otp.js';
import { constantTimeEquals } from '../factors/secrets.js';
import { type Locale, lockTime, messagesFor } from '../i18n/index.js';
import {
  consumeCode,
  findChallenge,
  type OtpChallenge,
  replaceCode,
  startChallenge,
} from '../storage/otp-challenges.js';
import { otpRequestPage, type SignInView } from '../views/login.js';
import { otpCodePage } from '../views/otp.js';
import { blocked, failedAttempt } from './attempts.js';
import { type ClientInfo, html, redirect, type SignIn } from './context.js';
import { answersWellFormed } from './knowledge.js';
import { lookUpUnlessBlocked, signedIn } from './sign-in-steps.js';

type Channel = 'email' | 'phone';

interface OtpContext {
  client: ClientInfo;
  acr: string;
  locale: Locale;
}

/** Where the code goes: the first configured channel the registry has and the notifier reaches. */
function destinationOf(
  signIn: SignIn,
  identity: Identity | undefined,
): { channel: Channel; to: string } | undefined {
  for (const channel of signIn.login.otp.channels) {
    if (!signIn.options.notifier.channels.has(channel)) continue;
    const to = channel === 'email' ? identity?.email : identity?.phone;
    if (to) return { channel, to };
  }
  return undefined;
}

const firstChannel = (signIn: SignIn): Channel =>
  signIn.login.otp.channels.find((c) => signIn.options.notifier.channels.has(c)) ?? 'email';

/**
 * Sends without waiting: the answer must not take longer for a known ID (a message goes out) than
 * for an unknown one (nothing goes out). Failures are logged without the destination.
 */
function dispatch(
  signIn: SignIn,
  request: FastifyRequest,
  to: { channel: Channel; to: string },
  code: string,
  locale: Locale,
) {
  const m = messagesFor(locale);
  const minutes = Math.round(signIn.login.otp.ttl / 60);
  signIn.options.notifier
    .send({ channel: to.channel, to: to.to, subject: m.otpMailSubject, text: m.otpMailText(code, minutes) })
    .catch((error: Error) =>
      request.log.warn({ channel: to.channel, err: error.name }, 'sending a one-time code failed'),
    );
}

/** The code page for a challenge (GET and after each step). */
export function renderCodePage(
  signIn: SignIn,
  interaction: Interaction,
  challenge: OtpChallenge,
  context: Pick<OtpContext, 'client' | 'locale'>,
  extra: { error?: string; note?: string; notice?: string } = {},
): string {
  const { otp } = signIn.login;
  const now = clock.now();
  const wait = Math.ceil((challenge.last_sent_at + otp.resendCooldown * 1000 - now) / 1000);
  return otpCodePage({
    uid: interaction.uid,
    locale: context.locale,
    clientName: context.client.name,
    maskedDestination: challenge.masked_destination,
    minutes: Math.round(otp.ttl / 60),
    resendInSeconds: challenge.sends >= otp.maxSends ? undefined : Math.max(wait, 0),
    ...extra,
  });
}

/**
 * OTP step 1: the individual ID. A challenge is created whatever the ID: for an unknown ID (or one
 * without reachable contact details) the code can never match and the masked destination is a
 * decoy derived from the ID, so the page does not tell which IDs exist.
 */
export async function otpStart(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  context: OtpContext,
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
  const render = (error: string, note?: string) => otpRequestPage({ ...view, error, note }, idField);
  if (!answersWellFormed([idField], body)) return html(reply, 400, render(m.invalidForm));
  const individualId = (body[idField.id] ?? '').trim();
  const idHash = signIn.idHash(individualId);
  const looked = await lookUpUnlessBlocked(signIn, request, reply, interaction, locale, {
    factor: 'otp',
    idHash,
    render,
    lookup: () => signIn.options.registry.findByIndividualId(individualId),
  });
  if ('answered' in looked) return looked.answered;
  const identity: Identity | undefined = looked.found;
  const destination = destinationOf(signIn, identity);
  const channel = destination?.channel ?? firstChannel(signIn);
  const masked = destination
    ? destination.channel === 'email'
      ? maskEmail(destination.to)
      : maskPhone(destination.to)
    : decoyDestination(idHash, channel);
  const now = clock.now();
  const code = generateCode();
  const { otp } = signIn.login;
  await startChallenge(signIn.options.db, {
    interaction_uid: interaction.uid,
    id_hash: idHash,
    account_id: destination && identity ? identity.individualId : null,
    channel,
    masked_destination: masked,
    code_hash: codeHash(signIn.options.hashKey, interaction.uid, code),
    code_expires_at: now + otp.ttl * 1000,
    sends: 1,
    last_sent_at: now,
    consumed: 0,
    expires_at: interaction.exp * 1000,
  });
  if (destination) dispatch(signIn, request, destination, code, locale);
  request.log.info({ interaction: interaction.uid, channel }, 'one-time code requested');
  return redirect(reply, `/interaction/${encodeURIComponent(interaction.uid)}?lang=${locale}`);
}

/** OTP: a new code, within the request's send limit and after the cooldown. */
export async function otpResend(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  context: OtpContext,
) {
  const m = messagesFor(context.locale);
  const { db, hashKey, registry } = signIn.options;
  const challenge = await findChallenge(db, interaction.uid);
  if (!challenge) return redirect(reply, `/interaction/${encodeURIComponent(interaction.uid)}`);
  const { otp } = signIn.login;
  const now = clock.now();
  const code = generateCode();
  const replaced = await replaceCode(db, interaction.uid, {
    codeHash: codeHash(hashKey, interaction.uid, code),
    codeExpiresAt: now + otp.ttl * 1000,
    now,
    maxSends: otp.maxSends,
    cooldownMs: otp.resendCooldown * 1000,
  });
  if (!replaced) {
    const notice = challenge.sends >= otp.maxSends ? m.otpNoMoreSends : undefined;
    return html(reply, 429, renderCodePage(signIn, interaction, challenge, context, { notice }));
  }
  if (challenge.account_id) {
    try {
      const destination = destinationOf(signIn, await registry.findByIndividualId(challenge.account_id));
      if (destination) dispatch(signIn, request, destination, code, context.locale);
    } catch (error) {
      if (!(error instanceof RegistryUnavailableError)) throw error;
      request.log.warn({ interaction: interaction.uid, reason: error.message }, 'registry unavailable');
    }
  }
  request.log.info({ interaction: interaction.uid, sends: challenge.sends + 1 }, 'one-time code resent');
  return redirect(reply, `/interaction/${encodeURIComponent(interaction.uid)}?lang=${context.locale}`);
}

/** OTP step 2: the code. Single use, expires after `otp.ttl`; a wrong code is a failed attempt. */
export async function otpVerify(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  context: OtpContext,
) {
  const m = messagesFor(context.locale);
  const { db, hashKey } = signIn.options;
  const challenge = await findChallenge(db, interaction.uid);
  if (!challenge) return redirect(reply, `/interaction/${encodeURIComponent(interaction.uid)}`);
  const render = (error: string, note?: string) =>
    renderCodePage(signIn, interaction, challenge, context, { error, note });
  const lockedUntil = await blocked(signIn, challenge.id_hash);
  if (lockedUntil !== undefined) {
    return failedAttempt(signIn, request, reply, interaction, context.locale, {
      factor: 'otp',
      reason: 'blocked',
      lockedUntil,
      message: m.blocked(lockTime(lockedUntil, clock.now())),
      render,
    });
  }
  const code = String((request.body as Record<string, unknown>).otp ?? '').trim();
  if (!new RegExp(`^[0-9]{${OTP_LENGTH}}$`).test(code)) return html(reply, 400, render(m.invalidForm));
  if (clock.now() > challenge.code_expires_at) return html(reply, 200, render(m.otpExpired));
  const hash = codeHash(hashKey, interaction.uid, code);
  const matches = constantTimeEquals(hash, challenge.code_hash) && challenge.consumed === 0;
  if (!matches || !challenge.account_id || !(await consumeCode(db, interaction.uid, hash))) {
    return failedAttempt(signIn, request, reply, interaction, context.locale, {
      factor: 'otp',
      idHash: challenge.id_hash,
      reason: 'wrong code',
      message: m.otpWrong,
      render,
    });
  }
  return signedIn(signIn, request, reply, interaction, {
    idHash: challenge.id_hash,
    accountId: challenge.account_id,
    acr: context.acr,
    amr: amrFor('otp', challenge.channel === 'phone' ? 'phone' : 'email'),
  });
}
