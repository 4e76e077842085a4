import { DEFAULT_LOCALE, messagesFor } from '../i18n/index.js';
import { cancelForm, errorBlock, escapeHtml, langField, page } from './html.js';
import { interactionHref, type SignInView } from './login.js';

export interface OtpCodeView extends SignInView {
  maskedDestination: string;
  minutes: number;
  /** Seconds until a new code may be asked for; 0 = now; undefined = no sends left. */
  resendInSeconds?: number;
  notice?: string;
}

/** Second step of the OTP factor: the code, with where it went and a resend button. */
export function otpCodePage(view: OtpCodeView): string {
  const locale = view.locale ?? DEFAULT_LOCALE;
  const m = messagesFor(locale);
  const href = interactionHref(view.uid);
  const described = ` aria-describedby="otp-hint${view.error ? ' form-error' : ''}${view.note ? ' form-note' : ''}"`;
  const destination = `<bdi class="ltr">${escapeHtml(view.maskedDestination)}</bdi>`;
  const notice = view.notice ? `<p class="notice" role="status">${escapeHtml(view.notice)}</p>\n` : '';
  // No script: the button is always there (the server enforces the cooldown), with the wait as text.
  let resend = `<p class="hint">${escapeHtml(m.otpNoMoreSends)}</p>`;
  if (view.resendInSeconds !== undefined) {
    const wait =
      view.resendInSeconds > 0
        ? `<p class="hint">${escapeHtml(m.otpResendWait(view.resendInSeconds))}</p>\n`
        : '';
    resend = `${wait}${cancelForm(`${href}/otp/resend`, m.otpResend, locale)}`;
  }
  return page(
    m.signInTitle,
    `<h1>${escapeHtml(m.signInTitle)}</h1>
<p>${m.otpSentTo(destination, view.minutes)}</p>
${notice}${errorBlock(view.error, view.note)}<form method="post" action="${href}/otp" class="form">${langField(locale)}
<label for="otp">${escapeHtml(m.otpCodeLabel)}</label>
<input id="otp" name="otp" type="text" inputmode="numeric" autocomplete="one-time-code" required minlength="6" maxlength="6"${described}>
<p class="hint" id="otp-hint">${escapeHtml(m.otpCodeHint)}</p>
<button type="submit">${escapeHtml(m.otpVerify)}</button>
</form>
${resend}
${cancelForm(`${href}/abort`, m.cancel, locale)}`,
    { locale, switcherHref: href },
  );
}
