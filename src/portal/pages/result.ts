import { type ClaimMeta, claimLabels, localizeType, pickDisplay } from '../catalog/issuer-metadata.js';
import { type HtmlValue, html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { PageContext } from '../i18n/index.js';
import { isPhoto, orderedEntries } from '../render/claims.js';
import type { ObtainedCredential } from '../store/credential-store.js';
import { themeClass } from './theme.js';

type Labels = Record<string, string>;

interface CardContext {
  pc: PageContext;
  labels: Labels;
  meta: ClaimMeta[];
  selectable: Set<string>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalar(pc: PageContext, value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? pc.m.yes : pc.m.no;
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

function claimRow(cc: CardContext, name: string, value: unknown, path: string, labelPath: string): SafeHtml {
  const label = cc.labels[labelPath] ?? name;
  let content: HtmlValue;
  if (isPhoto(value)) {
    content = html`<img class="photo" src="${value}" alt="${cc.pc.m.photo}" data-testid="photo">`;
  } else if (isRecord(value)) {
    content = claimList(cc, value, path, labelPath);
  } else if (Array.isArray(value) && value.some((v) => isRecord(v) || Array.isArray(v))) {
    content = value.map((item, i) =>
      isRecord(item)
        ? claimList(cc, item, `${path}.${i}`, `${labelPath}.*`)
        : html`<span data-claim="${path}.${i}">${scalar(cc.pc, item)}</span>`,
    );
  } else if (Array.isArray(value)) {
    content = value.map((v) => scalar(cc.pc, v)).join(', ');
  } else {
    content = scalar(cc.pc, value);
  }
  const selectable = cc.selectable.has(name);
  const mark = cc.selectable.size
    ? html`<dd class="disclosure" data-disclosure="${selectable ? 'selectable' : 'visible'}">${selectable ? cc.pc.m.selectable : cc.pc.m.alwaysVisible}</dd>`
    : '';
  return html`<div class="claim" data-claim="${path}"><dt>${label}</dt><dd data-claim-value="${path}">${content}</dd>${mark}</div>`;
}

function claimList(
  cc: CardContext,
  claims: Record<string, unknown>,
  path: string,
  labelPath: string,
): SafeHtml {
  const prefix = (p: string) => (p ? `${p}.` : '');
  return html`<dl class="${path ? 'claim-group' : 'claims'}"${path ? '' : html` id="claims" data-testid="claims"`}>${orderedEntries(
    claims,
    cc.meta,
    prefix(labelPath),
  ).map(([name, value]) => claimRow(cc, name, value, prefix(path) + name, prefix(labelPath) + name))}</dl>`;
}

export function isoDate(epochSeconds: number | undefined): string | undefined {
  return epochSeconds === undefined ? undefined : new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** The card alone: band in the issuer's colours with logo and name, then the claims. */
export function credentialCard(pc: PageContext, obtained: ObtainedCredential): SafeHtml {
  const shown = localizeType(
    {
      id: obtained.configurationId,
      format: obtained.format,
      scope: undefined,
      vct: undefined,
      name: obtained.typeName,
      description: undefined,
      display: obtained.typeDisplay,
      claims: obtained.claimsMeta,
      labels: obtained.labels,
      proofAlgs: undefined,
    },
    pc.locale,
  );
  const cc: CardContext = {
    pc,
    labels: { ...obtained.labels, ...claimLabels(obtained.claimsMeta, pc.locale) },
    meta: obtained.claimsMeta,
    selectable: new Set(obtained.selectable),
  };
  return html`<section class="credential-card" aria-labelledby="credential-title" data-testid="credential-card">
<div class="card-band ${themeClass(shown)}">
${shown.logo ? html`<img class="logo" src="${shown.logo.uri}" alt="${shown.logo.alt}" width="48" height="48">` : ''}
<h1 id="credential-title">${shown.name}</h1>
</div>
${claimList(cc, obtained.claims, '', '')}
</section>`;
}

export interface ResultLinks {
  /** The "add to wallet" page, when the issuer can make an offer for this person. */
  wallet?: string;
}

/** The credential the person just obtained: what it says, what a verifier sees, how to take it away. */
export function resultPage(
  pc: PageContext,
  id: string,
  obtained: ObtainedCredential,
  links: ResultLinks = {},
): SafeHtml {
  const issuer = pickDisplay(obtained.issuerDisplay, pc.locale)?.name ?? obtained.issuerName;
  const base = `/credentials/${encodeURIComponent(id)}`;
  const body = html`${credentialCard(pc, obtained)}
<p class="lead" id="result-lead">${pc.m.resultLead(issuer, isoDate(obtained.issuedAt), isoDate(obtained.expiresAt))}</p>
${obtained.holder === 'browser' ? html`<p class="notice info" id="bound-to-browser" data-testid="bound-to-browser">${pc.m.boundToBrowser}</p>` : ''}
${
  obtained.selectable.length
    ? html`<section aria-labelledby="disclosed-heading" id="disclosed" data-testid="disclosed">
<h2 id="disclosed-heading">${pc.m.disclosedHeading}</h2>
<p>${pc.m.disclosedText}</p>
</section>`
    : ''
}
<section aria-labelledby="downloads-heading">
<h2 id="downloads-heading">${pc.m.downloadsHeading}</h2>
<p class="actions">
<a class="button" id="download" data-testid="download" href="${base}/download" download>${pc.m.downloadRaw}</a>
<a class="button secondary" id="download-json" data-testid="download-json" href="${base}/json" download>${pc.m.downloadJson}</a>
<a class="button secondary" id="download-pdf" data-testid="download-pdf" href="${base}/pdf" download>${pc.m.downloadPdf}</a>
</p>
${
  links.wallet
    ? html`<form method="post" action="${links.wallet}" class="actions"><button class="button" type="submit" id="add-to-wallet" data-testid="add-to-wallet">${pc.m.walletButton}</button></form>`
    : ''
}
</section>
<p class="actions"><a class="button secondary" id="back-home" href="/">${pc.m.anotherCredential}</a></p>
<p class="lead">${pc.m.resultNote}</p>`;
  return layout(pc, { title: shown(obtained, pc), heading: issuer, body });
}

function shown(obtained: ObtainedCredential, pc: PageContext): string {
  return pickDisplay(obtained.typeDisplay, pc.locale)?.name ?? obtained.typeName;
}
