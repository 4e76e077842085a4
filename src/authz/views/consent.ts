import { DEFAULT_LOCALE, type Locale, messagesFor } from '../i18n/index.js';
import { cancelForm, escapeHtml, langField, page } from './html.js';
import { interactionHref } from './login.js';

export interface ConsentItem {
  /** A claim name (`email`) or a resource-server scope (`national_id`). */
  name: string;
  kind: 'claim' | 'scope';
  essential: boolean;
}

export interface ConsentView {
  uid: string;
  locale?: Locale;
  clientName: string;
  logoUri?: string;
  items: ConsentItem[];
  rememberDays: number;
}

function itemLabel(item: ConsentItem, locale: Locale): string {
  const m = messagesFor(locale);
  return item.kind === 'scope' ? m.scopeLabel(item.name) : (m.claims[item.name] ?? item.name);
}

/** What the client asks for, each marked required or optional, with Allow and Deny. */
export function consentPage(view: ConsentView): string {
  const locale = view.locale ?? DEFAULT_LOCALE;
  const m = messagesFor(locale);
  const href = interactionHref(view.uid);
  const logo = view.logoUri ? `<img src="${escapeHtml(view.logoUri)}" alt="" width="48" height="48">` : '';
  const items = view.items
    .map((item) => {
      const tag = item.essential
        ? `<span class="tag essential">${escapeHtml(m.essential)}</span>`
        : `<span class="tag">${escapeHtml(m.voluntary)}</span>`;
      return `<li><span>${escapeHtml(itemLabel(item, locale))}</span>${tag}</li>`;
    })
    .join('\n');
  const remember =
    view.rememberDays > 0 ? `<p class="hint">${escapeHtml(m.consentRemember(view.rememberDays))}</p>\n` : '';
  return page(
    m.consentTitle,
    `<h1>${escapeHtml(m.consentTitle)}</h1>
<div class="client">${logo}<p>${m.consentIntro(`<strong>${escapeHtml(view.clientName)}</strong>`)}</p></div>
<ul class="claims">
${items}
</ul>
${remember}<div class="actions">
<form method="post" action="${href}/consent">${langField(locale)}<input type="hidden" name="decision" value="deny"><button type="submit" class="plain">${escapeHtml(m.consentDeny)}</button></form>
<form method="post" action="${href}/consent">${langField(locale)}<input type="hidden" name="decision" value="allow"><button type="submit">${escapeHtml(m.consentAllow)}</button></form>
</div>
${cancelForm(`${href}/abort`, m.cancel, locale)}`,
    { locale, switcherHref: href },
  );
}
