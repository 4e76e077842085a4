import { direction, LOCALES, messages, type PageContext } from '../i18n/index.js';
import { type HtmlValue, html, type SafeHtml } from './html.js';

export const STYLESHEET_PATH = '/assets/portal.css';

export interface PageOptions {
  title: string;
  /** Shown in the header; the issuer's display name when known. */
  heading?: string;
  body: HtmlValue;
  /** Scripts of our own origin (the CSP allows 'self' only), loaded deferred. */
  scripts?: string[];
}

/** The same page in another language: the current URL with `lang` replaced. */
export function languageHref(path: string, locale: string): string {
  const url = new URL(path, 'http://portal.invalid');
  url.searchParams.set('lang', locale);
  return `${url.pathname}${url.search}`;
}

function switcher(pc: PageContext): SafeHtml {
  return html`<nav class="languages" aria-label="${pc.m.languageNav}"><ul>${LOCALES.map((locale) =>
    locale === pc.locale
      ? html`<li><span lang="${locale}" aria-current="true">${messages(locale).languageName}</span></li>`
      : html`<li><a lang="${locale}" hreflang="${locale}" data-testid="lang-${locale}" href="${languageHref(pc.path, locale)}">${messages(locale).languageName}</a></li>`,
  )}</ul></nav>`;
}

/** The frame of every page: one stylesheet, a skip link, landmarks, the language switcher. */
export function layout(pc: PageContext, { title, heading, body, scripts = [] }: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="${pc.locale}" dir="${direction(pc.locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Attesta</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
${scripts.map((src) => html`<script src="${src}" defer></script>`)}
</head>
<body>
<a class="skip-link" href="#main">${pc.m.skipLink}</a>
<header class="site-header">
<a class="brand" href="/">${heading ?? pc.m.home}</a>
<a class="nav-link" id="nav-verify" href="/verify">${pc.m.verifyNav}</a>
${switcher(pc)}
</header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site-footer"><p>${pc.m.footer}</p></footer>
</body>
</html>
`;
}
