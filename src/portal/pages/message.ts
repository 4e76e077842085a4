import type { Step, UpstreamError } from '../errors.js';
import { html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { Messages, PageContext } from '../i18n/index.js';

export type MessageKey = keyof Messages['errors'];

export interface Message {
  status: number;
  /** Title and text in the person's language. */
  key: MessageKey;
  /** The protocol error code, shown as a reference for support. */
  code?: string;
  kind?: 'error' | 'info';
  /** `locked`: when the sign-in service lifts the lock (epoch ms), when it said so. */
  lockedUntil?: number;
}

/** The time of day (UTC) a lock ends and the minutes until then, at least one. */
function lockTime(until: number, now: number): [string, number] {
  return [new Date(until).toISOString().slice(11, 16), Math.max(1, Math.ceil((until - now) / 60_000))];
}

function lockNote(pc: PageContext, message: Message): SafeHtml | '' {
  if (message.key !== 'locked') return '';
  const text =
    message.lockedUntil !== undefined && message.lockedUntil > Date.now()
      ? pc.m.lockedUntil(...lockTime(message.lockedUntil, Date.now()))
      : pc.m.lockedNow;
  return html`<p id="lock-note" data-testid="lock-note">${text}</p>`;
}

/** A page that explains what happened in plain words and always offers a way back. */
export function messagePage(pc: PageContext, message: Message): SafeHtml {
  const [title, text] = pc.m.errors[message.key];
  const info = message.kind === 'info';
  const body = html`<div class="notice ${info ? 'info' : ''}" id="message" data-testid="message" data-message="${message.key}" data-kind="${message.kind ?? 'error'}" role="${info ? 'status' : 'alert'}">
<h1>${title}</h1>
<p>${text}</p>
${lockNote(pc, message)}
${message.code ? html`<p>${pc.m.reference}: <code id="error-code" data-testid="error-code">${message.code}</code></p>` : ''}
</div>
<p class="actions"><a class="button secondary" id="back-home" data-testid="back-home" href="/">${pc.m.backHome}</a></p>`;
  return layout(pc, { title: title ?? '', body });
}

const STEP_STATUS: Record<Step, number> = {
  issuer_metadata: 503,
  authorization_server: 503,
  authorization: 502,
  token: 502,
  nonce: 502,
  credential: 502,
  verification: 502,
};

export function upstreamErrorMessage(error: UpstreamError): Message {
  return { status: STEP_STATUS[error.step], key: error.step, code: error.code };
}

export const sessionExpiredMessage: Message = { status: 400, key: 'expired' };
export const cancelledMessage: Message = { status: 200, kind: 'info', key: 'cancelled' };
export const deniedMessage: Message = { status: 200, kind: 'info', key: 'denied' };
export const pageNotFoundMessage: Message = { status: 404, key: 'pageNotFound' };

/**
 * The page for an `access_denied` authorization response (RFC 6749 §4.1.2.1): the person cancelled,
 * refused consent, or the sign-in service stopped after too many failed attempts. Which one is read
 * from `error_description`, as Attesta's authz words it (a lock says until when, ISO 8601); any other
 * description is a cancelled sign-in.
 */
export function accessDeniedMessage(description: string | undefined): Message {
  if (description === 'the End-User denied consent') return deniedMessage;
  const locked = /^too many failed sign-in attempts(?:; locked until (\d{4}-\d{2}-\d{2}T[\d:.]+Z))?$/.exec(
    description ?? '',
  );
  if (!locked) return cancelledMessage;
  const until = locked[1] ? Date.parse(locked[1]) : Number.NaN;
  return { status: 200, key: 'locked', ...(Number.isNaN(until) ? {} : { lockedUntil: until }) };
}
export const notFoundMessage: Message = { status: 404, key: 'notFound' };
export const badRequestMessage: Message = { status: 400, key: 'badRequest' };
export const tooManyMessage: Message = { status: 429, key: 'tooMany' };
/** Overload (src/platform/overload.ts) or a full decoding pool: 503 with Retry-After. */
export const busyMessage: Message = { status: 503, key: 'busy' };
/** A form post from another site (src/platform/origin-check.ts): refused before anything is done. */
export const crossSiteMessage: Message = { status: 403, key: 'crossSite' };
export const internalErrorMessage: Message = { status: 500, key: 'internal' };
