import { html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { PageContext } from '../i18n/index.js';

export const BIND_SCRIPT_PATH = '/assets/bind.js';

/**
 * The page that has the browser sign the proof of possession: the nonce and audience travel in
 * data attributes, the script signs and submits the form back to the portal.
 */
export function bindPage(
  pc: PageContext,
  input: { id: string; audience: string; nonce: string | undefined },
): SafeHtml {
  const body = html`<h1>${pc.m.bindTitle}</h1>
<div id="bind" data-testid="bind" data-audience="${input.audience}" data-nonce="${input.nonce ?? ''}">
<p class="lead" role="status">${pc.m.bindText}</p>
<form method="post" action="/bind/${encodeURIComponent(input.id)}" id="bind-form">
<input type="hidden" name="proof" id="proof" value="">
</form>
<p class="notice" id="bind-error" role="alert" hidden>${pc.m.bindFailed}</p>
<noscript><p class="notice">${pc.m.bindNoScript}</p></noscript>
</div>
<p class="actions"><a class="button secondary" id="back-home" href="/">${pc.m.backHome}</a></p>`;
  return layout(pc, { title: pc.m.bindTitle, body, scripts: [BIND_SCRIPT_PATH] });
}
