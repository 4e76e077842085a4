import { DEFAULT_LOCALE, type Locale, messagesFor } from '../i18n/index.js';
import { escapeHtml, messagePage, page } from './html.js';

export interface LogoutView {
  locale?: Locale;
  clientName: string;
  /** oidc-provider's logout form: its action and hidden `xsrf` value. */
  action: string;
  xsrf: string;
  /** The page's own URL, for the language switcher. */
  switcherHref?: string;
}

/**
 * RP-initiated logout confirmation (OIDC RP-Initiated Logout §2): the person confirms or keeps the
 * session. Submits oidc-provider's end-session confirm form (`logout=yes` signs out).
 */
export function logoutPage(view: LogoutView): string {
  const locale = view.locale ?? DEFAULT_LOCALE;
  const m = messagesFor(locale);
  const hidden = `<input type="hidden" name="xsrf" value="${escapeHtml(view.xsrf)}">`;
  return page(
    m.logoutTitle,
    `<h1>${escapeHtml(m.logoutTitle)}</h1>
<p>${m.logoutQuestion(`<strong>${escapeHtml(view.clientName)}</strong>`)}</p>
<div class="actions">
<form method="post" action="${escapeHtml(view.action)}">${hidden}<button type="submit" class="plain">${escapeHtml(m.logoutNo)}</button></form>
<form method="post" action="${escapeHtml(view.action)}">${hidden}<input type="hidden" name="logout" value="yes"><button type="submit">${escapeHtml(m.logoutYes)}</button></form>
</div>`,
    { locale, switcherHref: view.switcherHref },
  );
}

/** After sign-out when the client gave no post-logout redirect. */
export const loggedOutPage = (locale: Locale = DEFAULT_LOCALE) =>
  messagePage(messagesFor(locale).loggedOutTitle, messagesFor(locale).loggedOutMessage, { locale });
