import { localizeType, pickDisplay } from '../catalog/issuer-metadata.js';
import { html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { PageContext } from '../i18n/index.js';
import { epochDate } from '../render/values.js';
import type { ObtainedCredential } from '../store/credential-store.js';
import { claimsView } from './claims-view.js';
import { themeClass } from './theme.js';

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
  const view = claimsView(pc, {
    claims: obtained.claims,
    meta: obtained.claimsMeta,
    fallbackLabels: obtained.labels,
    selectable: obtained.selectable,
  });
  return html`<section class="credential-card" aria-labelledby="credential-title" data-testid="credential-card">
<div class="card-band ${themeClass(shown)}">
${shown.logo ? html`<img class="logo" src="${shown.logo.uri}" alt="${shown.logo.alt}" width="48" height="48">` : ''}
<h1 id="credential-title">${shown.name}</h1>
</div>
${view}
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
<p class="lead" id="result-lead">${pc.m.resultLead(issuer, epochDate(obtained.issuedAt, pc.locale), epochDate(obtained.expiresAt, pc.locale))}</p>
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
