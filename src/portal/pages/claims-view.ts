import { type ClaimMeta, claimLabels } from '../catalog/issuer-metadata.js';
import { type HtmlValue, html, type SafeHtml } from '../html/html.js';
import type { PageContext } from '../i18n/index.js';
import { isPhoto, orderedEntries } from '../render/claims.js';
import { displayValue } from '../render/values.js';

interface ViewContext {
  pc: PageContext;
  labels: Record<string, string>;
  meta: ClaimMeta[];
  selectable: Set<string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * One leaf value: localized (dates, countries, gender codes), dates as `<time>`, and left-to-right
 * values (numbers, identifiers, phone numbers) isolated so that right-to-left text cannot reorder them.
 */
function leaf(vc: ViewContext, name: string, value: unknown): SafeHtml {
  const scalar =
    value === null || ['string', 'number', 'boolean'].includes(typeof value)
      ? (value as string | number | boolean | null)
      : JSON.stringify(value);
  const shown = displayValue(name, scalar, vc.pc.locale, vc.pc.m);
  // An e-mail address may break after its `@` on a small phone, never inside a word.
  const words = shown.text.split('@').map((part, i) => (i ? html`@<wbr>${part}` : html`${part}`));
  const text = shown.datetime
    ? html`<time datetime="${shown.datetime}">${shown.text}</time>`
    : html`${words}`;
  return shown.ltr && vc.pc.locale === 'ar' ? html`<bdi class="ltr" dir="ltr">${text}</bdi>` : html`${text}`;
}

function row(vc: ViewContext, name: string, value: unknown, path: string, labelPath: string): SafeHtml {
  const label = vc.labels[labelPath] ?? name;
  let content: HtmlValue;
  if (isPhoto(value)) {
    content = html`<img class="photo" src="${value}" alt="${vc.pc.m.photo}" data-testid="photo">`;
  } else if (isRecord(value)) {
    content = list(vc, value, path, labelPath);
  } else if (Array.isArray(value)) {
    // Arrays as lists: objects as nested rows, anything else one item per line.
    content = html`<ul>${value.map((item, i) =>
      isRecord(item)
        ? html`<li>${list(vc, item, `${path}.${i}`, `${labelPath}.*`)}</li>`
        : html`<li data-claim="${path}.${i}">${leaf(vc, name, item)}</li>`,
    )}</ul>`;
  } else {
    content = leaf(vc, name, value);
  }
  const selectable = vc.selectable.has(name);
  const mark = vc.selectable.size
    ? html`<dd class="disclosure" data-disclosure="${selectable ? 'selectable' : 'visible'}">${selectable ? vc.pc.m.selectable : vc.pc.m.alwaysVisible}</dd>`
    : '';
  return html`<div class="claim" data-claim="${path}"><dt>${label}</dt><dd data-claim-value="${path}">${content}</dd>${mark}</div>`;
}

function list(vc: ViewContext, claims: Record<string, unknown>, path: string, labelPath: string): SafeHtml {
  const prefix = (p: string) => (p ? `${p}.` : '');
  return html`<dl class="${path ? 'claim-group' : 'claims'}"${path ? '' : html` id="claims" data-testid="claims"`}>${orderedEntries(
    claims,
    vc.meta,
    prefix(labelPath),
  ).map(([name, value]) => row(vc, name, value, prefix(path) + name, prefix(labelPath) + name))}</dl>`;
}

/**
 * The claims of a credential as rows: labels from the issuer's metadata in the page language (then
 * the given fallback labels, then the claim's name), in the order the metadata lists them, nested
 * objects as nested rows, arrays as lists, values localized. `selectable` marks SD-JWT disclosures.
 */
export function claimsView(
  pc: PageContext,
  input: {
    claims: Record<string, unknown>;
    meta: ClaimMeta[];
    fallbackLabels?: Record<string, string>;
    selectable?: string[];
  },
): SafeHtml {
  const vc: ViewContext = {
    pc,
    labels: { ...input.fallbackLabels, ...claimLabels(input.meta, pc.locale) },
    meta: input.meta,
    selectable: new Set(input.selectable ?? []),
  };
  return list(vc, input.claims, '', '');
}
