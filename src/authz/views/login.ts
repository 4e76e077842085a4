import type { Config } from '../../platform/config/index.js';
import { DEFAULT_LOCALE, type Locale, messagesFor } from '../i18n/index.js';
import { cancelForm, errorBlock, escapeHtml, langField, page } from './html.js';

export type KbiField = Config['authz']['login']['kbi']['fields'][number];

export interface SignInView {
  uid: string;
  locale?: Locale;
  clientName: string;
  error?: string;
  /** Shown under the error (attempts left). */
  note?: string;
  /** Re-filled after a failed attempt: only the individual ID, never the other answers. */
  values?: Record<string, string>;
}

/** The English mismatch message (kept as a constant for tests and callers that log by message). */
export const MISMATCH_MESSAGE = messagesFor(DEFAULT_LOCALE).mismatch;

export const interactionHref = (uid: string) => `/interaction/${encodeURIComponent(uid)}`;

/** A field's label in the page language, else English, else any. */
export function labelOf(field: Pick<KbiField, 'label' | 'id'>, locale: Locale): string {
  return field.label[locale] ?? field.label.en ?? Object.values(field.label)[0] ?? field.id;
}

function input(field: KbiField, locale: Locale, value: string | undefined, described: string): string {
  const max = field.maxLength ?? (field.type === 'date' ? 10 : 200);
  const autocomplete = field.autocomplete ?? 'off';
  const valueAttr = value === undefined ? '' : ` value="${escapeHtml(value)}"`;
  return `<label for="${escapeHtml(field.id)}">${escapeHtml(labelOf(field, locale))}</label>
<input id="${escapeHtml(field.id)}" name="${escapeHtml(field.id)}" type="${field.type}" autocomplete="${escapeHtml(autocomplete)}" required maxlength="${max}"${valueAttr}${described}>`;
}

function signInPage(view: SignInView, intro: string, fieldsHtml: string, button?: string): string {
  const locale = view.locale ?? DEFAULT_LOCALE;
  const m = messagesFor(locale);
  const href = interactionHref(view.uid);
  return page(
    m.signInTitle,
    `<h1>${escapeHtml(m.signInTitle)}</h1>
<p>${intro}</p>
${errorBlock(view.error, view.note)}<form method="post" action="${href}/login" class="form">${langField(locale)}
${fieldsHtml}
<button type="submit">${escapeHtml(button ?? m.continue)}</button>
</form>
${cancelForm(`${href}/abort`, m.cancel, locale)}`,
    { locale, switcherHref: href },
  );
}

const clientStrong = (name: string) => `<strong>${escapeHtml(name)}</strong>`;
const describedBy = (view: SignInView) =>
  view.error ? ` aria-describedby="form-error${view.note ? ' form-note' : ''}"` : '';

/** Knowledge-based identification: the configured fields, the ID first as configured. */
export function kbiPage(view: SignInView, fields: KbiField[]): string {
  const locale = view.locale ?? DEFAULT_LOCALE;
  const idField = fields.find((f) => f.attribute === 'individualId');
  const html = fields
    .map((f) => input(f, locale, f === idField ? view.values?.[f.id] : undefined, describedBy(view)))
    .join('\n');
  return signInPage(view, messagesFor(locale).kbiIntro(clientStrong(view.clientName)), html);
}

/** Individual ID and password. */
export function passwordPage(view: SignInView, idField: KbiField): string {
  const locale = view.locale ?? DEFAULT_LOCALE;
  const m = messagesFor(locale);
  const html = `${input(idField, locale, view.values?.[idField.id], describedBy(view))}
<label for="password">${escapeHtml(m.passwordLabel)}</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="200"${describedBy(view)}>`;
  return signInPage(view, m.passwordIntro(clientStrong(view.clientName)), html);
}

/** First step of the OTP factor: the individual ID, to which a code is sent. */
export function otpRequestPage(view: SignInView, idField: KbiField): string {
  const locale = view.locale ?? DEFAULT_LOCALE;
  const m = messagesFor(locale);
  const html = input(idField, locale, view.values?.[idField.id], describedBy(view));
  return signInPage(view, m.otpIntro(clientStrong(view.clientName)), html, m.otpSend);
}
