import { html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { PageContext } from '../i18n/index.js';
import type { CheckOutcome, VerificationReport } from '../verify/checks.js';

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

/** The answer: valid or not, each check with its outcome, the reasons, and what the credential says. */
export function verifyResultPage(pc: PageContext, result: VerificationReport | undefined): SafeHtml {
  const rows: [string, string, CheckOutcome][] = result
    ? [
        ['signature', pc.m.checkSignature, result.checks.signature],
        ['issuer', pc.m.checkIssuer, result.checks.issuer],
        ['validity', pc.m.checkValidity, result.checks.validity],
        ['status', pc.m.checkStatus, result.checks.status],
      ]
    : [];
  const verdict = result?.valid
    ? html`<div class="notice info" role="status" id="verdict" data-testid="verdict" data-valid="true"><h2>${pc.m.verifyValid}</h2></div>`
    : html`<div class="notice" role="alert" id="verdict" data-testid="verdict" data-valid="false"><h2>${pc.m.verifyInvalid}</h2>
${result ? '' : html`<p>${pc.m.verifyNothing}</p>`}</div>`;
  const body = html`<h1>${pc.m.verifyTitle}</h1>
${verdict}
${
  result
    ? html`<dl class="claims" id="checks" data-testid="checks">
${rows.map(
  ([key, label, value]) =>
    html`<div class="claim" data-check="${key}" data-outcome="${value}"><dt>${label}</dt><dd>${outcome(pc, value)}</dd></div>`,
)}
${result.issuer ? html`<div class="claim"><dt>${pc.m.checkIssuer}</dt><dd><code id="issuer-id">${result.issuer}</code></dd></div>` : ''}
</dl>
${result.reasons.length ? html`<ul id="reasons" data-testid="reasons">${result.reasons.map((r) => html`<li data-reason="${r}">${r}</li>`)}</ul>` : ''}
${
  result.claims
    ? html`<dl class="claims" id="verified-claims" data-testid="verified-claims">${Object.entries(
        result.claims,
      ).map(
        ([name, value]) =>
          html`<div class="claim" data-claim="${name}"><dt>${name}</dt><dd>${typeof value === 'string' ? value : JSON.stringify(value)}</dd></div>`,
      )}</dl>`
    : ''
}`
    : ''
}
<h2>${pc.m.verifyAnother}</h2>
${form(pc)}`;
  return layout(pc, { title: pc.m.verifyTitle, body });
}
