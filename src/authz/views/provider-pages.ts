import type { KoaContextWithOIDC } from 'oidc-provider';
import { chooseLocale, type Locale, messagesFor } from '../i18n/index.js';
import { escapeHtml, messagePage, page } from './html.js';

/** The Koa request fields these pages read (not in our oidc-provider type shim). */
interface KoaRequestView {
  query?: Record<string, unknown>;
  method: string;
  originalUrl: string;
  get(header: string): string;
}

const koa = (ctx: KoaContextWithOIDC) => ctx as unknown as KoaRequestView;

/** The page language of a request oidc-provider answers itself (error, logout pages). */
export function providerLocale(ctx: KoaContextWithOIDC): Locale {
  const params = (ctx.oidc?.params ?? {}) as { ui_locales?: unknown };
  const lang = koa(ctx).query?.lang;
  return chooseLocale({
    explicit: typeof lang === 'string' ? lang : undefined,
    uiLocales: typeof params.ui_locales === 'string' ? params.ui_locales : undefined,
    acceptLanguage: koa(ctx).get('accept-language'),
  });
}

/** The current URL without `lang`, for the language switcher of a GET page. */
function switcherHref(ctx: KoaContextWithOIDC): string | undefined {
  if (koa(ctx).method !== 'GET') return undefined;
  const url = new URL(koa(ctx).originalUrl, 'http://x');
  url.searchParams.delete('lang');
  return `${url.pathname}${url.search}`;
}

/**
 * Error page for authorization requests that cannot be sent back to the client (unknown client,
 * unregistered redirect_uri, …). The protocol error code is shown; oidc-provider's description is
 * fixed text without request data.
 */
export function providerErrorPage(
  ctx: KoaContextWithOIDC,
  out: { error?: string; error_description?: string },
): string {
  const locale = providerLocale(ctx);
  const m = messagesFor(locale);
  const detail = out.error
    ? `<p class="hint"><bdi class="ltr"><code>${escapeHtml(out.error)}</code>${out.error_description ? `: ${escapeHtml(out.error_description)}` : ''}</bdi></p>`
    : '';
  return page(
    m.errorTitle,
    `<h1>${escapeHtml(m.errorTitle)}</h1>\n<p>${escapeHtml(m.errorMessage)}</p>\n${detail}`,
    {
      locale,
      switcherHref: switcherHref(ctx),
    },
  );
}

/**
 * RP-initiated logout confirmation (OpenID Connect RP-Initiated Logout 1.0 §2): `form` is
 * oidc-provider's hidden form (`op.logoutForm`, with its xsrf token); the buttons submit it by id,
 * so the page needs no script under the CSP.
 */
export function logoutConfirmPage(ctx: KoaContextWithOIDC, form: string): string {
  const locale = providerLocale(ctx);
  const m = messagesFor(locale);
  const client = ctx.oidc.client;
  const name = client?.clientName ?? client?.clientId ?? 'Attesta';
  return page(
    m.logoutTitle,
    `<h1>${escapeHtml(m.logoutTitle)}</h1>
<p>${m.logoutQuestion(`<strong>${escapeHtml(name)}</strong>`)}</p>
${form}
<div class="actions">
<button type="submit" form="op.logoutForm" class="plain">${escapeHtml(m.logoutNo)}</button>
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>${escapeHtml(m.logoutYes)}</button>
</div>`,
    { locale, switcherHref: switcherHref(ctx) },
  );
}

/** After sign-out when the client gave no post-logout redirect. */
export function loggedOutPage(ctx: KoaContextWithOIDC): string {
  const locale = providerLocale(ctx);
  const m = messagesFor(locale);
  return messagePage(m.loggedOutTitle, m.loggedOutMessage, { locale });
}
