import type { ClaimMeta } from '../catalog/issuer-metadata.js';
import { html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { PageContext } from '../i18n/index.js';
import { localDate } from '../render/values.js';
import { type CheckOutcome, type VerificationReport, verdictOf } from '../verify/report.js';
import { claimsView } from './claims-view.js';

function form(pc: PageContext): SafeHtml {
  return html`<form class="verify-form" method="post" action="/verify" enctype="multipart/form-data" id="verify-form">
<p><label for="verify-file">${pc.m.verifyFile}</label><br>
<input type="file" id="verify-file" name="file" accept=".pdf,.png,.jpg,.jpeg,.json,.txt,.sd-jwt,.jwt,application/pdf,image/png,image/jpeg,application/json,text/plain"></p>
<p><label for="verify-text">${pc.m.verifyText}</label><br>
<textarea id="verify-text" name="text" rows="5" cols="60" spellcheck="false"></textarea></p>
<p><button class="button" type="submit" id="verify-submit">${pc.m.verifyButton}</button></p>
</form>`;
}

export function verifyFormPage(pc: PageContext): SafeHtml {
  const body = html`<h1>${pc.m.verifyTitle}</h1>
<p class="lead">${pc.m.verifyLead}</p>
${form(pc)}`;
  return layout(pc, { title: pc.m.verifyTitle, body });
}

function outcome(pc: PageContext, value: CheckOutcome): string {
  return value === 'passed' ? pc.m.checkPassed : value === 'failed' ? pc.m.checkFailed : pc.m.checkSkipped;
}

/** What the portal knows of the credential's type from its issuer's metadata, when the issuer is one it trusts. */
export interface VerifiedType {
  /** The type's name in the page language. */
  name: string;
  /** The issuer's name in the page language. */
  issuerName: string;
  meta: ClaimMeta[];
  labels: Record<string, string>;
}

/** The verdict: green, amber or red, with the reasons in plain words. */
function verdictBlock(
  pc: PageContext,
  result: VerificationReport | undefined,
  type: VerifiedType | undefined,
) {
  if (!result) {
    return html`<div class="verdict invalid" role="alert" id="verdict" data-testid="verdict" data-valid="false" data-verdict="invalid"><h2>${pc.m.verifyInvalid}</h2>
<p>${pc.m.verifyNothing}</p></div>`;
  }
  const verdict = verdictOf(result);
  const title =
    verdict.kind === 'valid'
      ? pc.m.verifyValid
      : verdict.kind === 'warning'
        ? pc.m.verifyWarning
        : pc.m.verifyInvalid;
  const lines: string[] = [];
  if (verdict.kind !== 'invalid' && type) lines.push(pc.m.verifyValidText(type.issuerName));
  if (verdict.kind !== 'valid') lines.push(...verdict.reasons.map((r) => pc.m.verifyReasons[r]));
  if (verdict.kind === 'warning' && verdict.expiresOn) {
    lines.push(pc.m.verifyExpiresSoon(localDate(verdict.expiresOn, pc.locale) ?? verdict.expiresOn));
  }
  return html`<div class="verdict ${verdict.kind}" role="${verdict.kind === 'valid' ? 'status' : 'alert'}" id="verdict" data-testid="verdict" data-valid="${String(result.valid)}" data-verdict="${verdict.kind}">
<h2>${title}</h2>
${lines.map((line) => html`<p>${line}</p>`)}
</div>`;
}

/** Issuer identifier, format, each check and the verifiers' own reasons: folded away, for those who ask. */
function technicalDetails(pc: PageContext, result: VerificationReport): SafeHtml {
  const rows: [string, string, CheckOutcome][] = [
    ['signature', pc.m.checkSignature, result.checks.signature],
    ['issuer', pc.m.checkIssuer, result.checks.issuer],
    ['validity', pc.m.checkValidity, result.checks.validity],
    ['status', pc.m.checkStatus, result.checks.status],
  ];
  return html`<details class="technical" id="technical" data-testid="technical">
<summary>${pc.m.technicalDetails}</summary>
<dl class="claims" id="checks" data-testid="checks">
${rows.map(
  ([key, label, value]) =>
    html`<div class="claim" data-check="${key}" data-outcome="${value}"><dt>${label}</dt><dd class="checks-outcome" data-outcome="${value}">${outcome(pc, value)}</dd></div>`,
)}
${result.format ? html`<div class="claim"><dt>${pc.m.detailFormat}</dt><dd><bdi class="ltr" dir="ltr"><code id="format">${result.format}</code></bdi></dd></div>` : ''}
${result.issuer ? html`<div class="claim"><dt>${pc.m.detailIssuerId}</dt><dd><bdi class="ltr" dir="ltr"><code id="issuer-id">${result.issuer}</code></bdi></dd></div>` : ''}
${
  result.reasons.length
    ? html`<div class="claim"><dt>${pc.m.detailReasons}</dt><dd><ul id="reasons" data-testid="reasons">${result.reasons.map(
        (r) => html`<li data-reason="${r}"><bdi class="ltr" dir="ltr"><code>${r}</code></bdi></li>`,
      )}</ul></dd></div>`
    : ''
}
</dl>
</details>`;
}

/**
 * The answer: a verdict a person reads at a glance, what the credential says (labels and order from
 * its issuer's metadata, values in the page language), and the technical details folded away.
 */
export function verifyResultPage(
  pc: PageContext,
  result: VerificationReport | undefined,
  type?: VerifiedType,
): SafeHtml {
  const body = html`<h1>${pc.m.verifyTitle}</h1>
${verdictBlock(pc, result, type)}
${
  result?.claims
    ? html`<section class="credential-card" aria-labelledby="verified-heading" id="verified-claims" data-testid="verified-claims">
<h2 id="verified-heading">${type ? type.name : pc.m.claimsHeading}</h2>
${claimsView(pc, { claims: result.claims, meta: type?.meta ?? [], fallbackLabels: type?.labels ?? {} })}
</section>`
    : ''
}
${result ? technicalDetails(pc, result) : ''}
<h2>${pc.m.verifyAnother}</h2>
${form(pc)}`;
  return layout(pc, { title: pc.m.verifyTitle, body });
}
