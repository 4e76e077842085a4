import { DEFAULT_LOCALE, LOCALES, type Locale, messagesFor } from '../i18n/index.js';

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

export const STYLESHEET_PATH = '/assets/authz.css';

export interface PageOptions {
  locale?: Locale;
  /** Where the language switcher links go (`?lang=xx` is appended); no switcher when absent. */
  switcherHref?: string;
}

function switcher(current: Locale, href: string): string {
  const m = messagesFor(current);
  const separator = href.includes('?') ? '&' : '?';
  const links = LOCALES.map((locale) => {
    const name = escapeHtml(messagesFor(locale).languageName);
    const currentAttr = locale === current ? ' aria-current="true"' : '';
    const url = escapeHtml(`${href}${separator}lang=${locale}`);
    return `<li><a href="${url}" lang="${locale}" hreflang="${locale}"${currentAttr}>${name}</a></li>`;
  }).join('');
  return `<nav class="languages" aria-label="${escapeHtml(m.languageSwitcher)}"><ul>${links}</ul></nav>`;
}

/**
 * The page frame of every authz page: one stylesheet, no script (CSP `script-src 'none'`), `lang`
 * and `dir` from the locale, the same header on every page. `body` must already be escaped HTML.
 */
export function page(title: string, body: string, options: PageOptions = {}): string {
  const locale = options.locale ?? DEFAULT_LOCALE;
  const m = messagesFor(locale);
  const nav = options.switcherHref === undefined ? '' : switcher(locale, options.switcherHref);
  return `<!doctype html>
<html lang="${locale}" dir="${m.dir}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${escapeHtml(title)} · Attesta</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<main class="card">
<div class="topbar"><p class="brand">${escapeHtml(m.brand)}</p>${nav}</div>
${body}
</main>
</body>
</html>
`;
}

/** A page that only explains something (expired request, error) and offers no action. */
export function messagePage(title: string, message: string, options: PageOptions = {}): string {
  return page(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>`, options);
}

/**
 * An error paragraph announced to screen readers (inputs point at it with aria-describedby), and
 * an optional note beside it (attempts left), kept out of the alert so that the alert reads the
 * same whichever answer was wrong.
 */
export function errorBlock(message: string | undefined, note?: string): string {
  if (!message) return '';
  const hint = note ? `<p class="hint" id="form-note">${escapeHtml(note)}</p>\n` : '';
  return `<p class="error" role="alert" id="form-error">${escapeHtml(message)}</p>\n${hint}`;
}

/** The hidden field that keeps the chosen language across a form post. */
export const langField = (locale: Locale) => `<input type="hidden" name="lang" value="${locale}">`;

/** A secondary form (cancel, resend) rendered as a link-styled button. */
export function cancelForm(action: string, label: string, locale: Locale): string {
  return `<form method="post" action="${escapeHtml(action)}" class="secondary">${langField(locale)}
<button type="submit" class="link">${escapeHtml(label)}</button>
</form>`;
}
