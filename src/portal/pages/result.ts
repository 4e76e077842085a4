import { html, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { ObtainedCredential } from '../store/credential-store.js';

type Labels = Record<string, string>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return '—';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  return JSON.stringify(value);
}

/**
 * Claims in the order the issuer's metadata lists them, then any others in the credential's order.
 * `labelPath` uses `*` for array positions, as claim paths in metadata do.
 */
function ordered(claims: Record<string, unknown>, labels: Labels, labelPrefix: string): [string, unknown][] {
  const known = Object.keys(labels)
    .filter((path) => path.startsWith(labelPrefix))
    .map((path) => path.slice(labelPrefix.length).split('.')[0] ?? '');
  const rank = (name: string) => {
    const i = known.indexOf(name);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return Object.entries(claims).sort(([a], [b]) => rank(a) - rank(b));
}

function claimRow(name: string, value: unknown, path: string, labelPath: string, labels: Labels): SafeHtml {
  const label = labels[labelPath] ?? name;
  let content: SafeHtml | string;
  if (isRecord(value)) {
    content = claimList(value, labels, path, labelPath);
  } else if (Array.isArray(value) && value.some((v) => isRecord(v) || Array.isArray(v))) {
    content = html`${value.map((item, i) =>
      isRecord(item)
        ? claimList(item, labels, `${path}.${i}`, `${labelPath}.*`)
        : html`<span data-claim="${path}.${i}">${scalar(item)}</span>`,
    )}`;
  } else if (Array.isArray(value)) {
    content = value.map(scalar).join(', ');
  } else {
    content = scalar(value);
  }
  return html`<div class="claim" data-claim="${path}"><dt>${label}</dt><dd data-claim-value="${path}">${content}</dd></div>`;
}

function claimList(
  claims: Record<string, unknown>,
  labels: Labels,
  path: string,
  labelPath: string,
): SafeHtml {
  const prefix = (p: string) => (p ? `${p}.` : '');
  return html`<dl class="${path ? 'claim-group' : 'claims'}"${path ? '' : html` id="claims" data-testid="claims"`}>${ordered(
    claims,
    labels,
    prefix(labelPath),
  ).map(([name, value]) =>
    claimRow(name, value, prefix(path) + name, prefix(labelPath) + name, labels),
  )}</dl>`;
}

function date(epochSeconds: number | undefined): string | undefined {
  return epochSeconds === undefined ? undefined : new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}

/** The credential the person just obtained: what it says and how to take it away. */
export function resultPage(id: string, obtained: ObtainedCredential): SafeHtml {
  const validUntil = date(obtained.expiresAt);
  const body = html`<h1 id="credential-title">${obtained.typeName}</h1>
<p class="lead">Issued by ${obtained.issuerName}${date(obtained.issuedAt) ? html` on ${date(obtained.issuedAt)}` : ''}${
    validUntil ? html`, valid until ${validUntil}` : ''
  }. The signature and every claim below were verified.</p>
${claimList(obtained.claims, obtained.labels, '', '')}
<p class="actions">
<a class="button" id="download" data-testid="download" href="/credentials/${encodeURIComponent(id)}/download" download>Download the credential</a>
<a class="button secondary" id="back-home" href="/">Get another credential</a>
</p>
<p class="lead">This page and the download are available for a short time, in this browser only.</p>`;
  return layout({ title: obtained.typeName, heading: obtained.issuerName, body });
}
