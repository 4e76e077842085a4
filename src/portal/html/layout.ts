import { type HtmlValue, html, type SafeHtml } from './html.js';

export const STYLESHEET_PATH = '/assets/portal.css';

export interface PageOptions {
  title: string;
  /** Shown in the header; the issuer's display name when known. */
  heading?: string;
  body: HtmlValue;
}

/** The frame of every page: one stylesheet, no script, a skip link and landmarks. */
export function layout({ title, heading, body }: PageOptions): SafeHtml {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Attesta</title>
<link rel="stylesheet" href="${STYLESHEET_PATH}">
</head>
<body>
<a class="skip-link" href="#main">Skip to content</a>
<header class="site-header"><a class="brand" href="/">${heading ?? 'Attesta'}</a></header>
<main id="main" tabindex="-1">
${body}
</main>
<footer class="site-footer"><p>Credentials are issued with OpenID for Verifiable Credential Issuance.</p></footer>
</body>
</html>
`;
}
