import type { IssuerEntry } from '../catalog/catalogs.js';
import { type CredentialType, localizeType, pickDisplay } from '../catalog/issuer-metadata.js';
import { html, htmlToken, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import type { PageContext } from '../i18n/index.js';
import { SUPPORTED_FORMATS } from '../issuance/obtain-credential.js';
import { themeClass } from './theme.js';

/**
 * Whether the portal can run the flow for a configuration: a scope to ask for (the portal uses the
 * authorization code grant with scopes, OpenID4VCI 1.0 §5.1.2) and a format it verifies.
 */
export function canStart(type: CredentialType): boolean {
  return type.scope !== undefined && SUPPORTED_FORMATS.has(type.format);
}

export function startPath(type: CredentialType, entry: { key: string; primary: boolean }): string {
  const base = `/start/${encodeURIComponent(type.id)}`;
  return entry.primary ? base : `${base}?issuer=${entry.key}`;
}

/** Adds a query parameter to a path that may already have some. */
function withParam(path: string, name: string, value: string): string {
  return `${path}${path.includes('?') ? '&' : '?'}${name}=${value}`;
}

function typeCard(pc: PageContext, entry: IssuerEntry & { catalog: object }, type: CredentialType): SafeHtml {
  const shown = localizeType(type, pc.locale);
  const token = htmlToken(entry.primary ? type.id : `${entry.key}-${type.id}`);
  const headingId = `type-${token}-name`;
  const start = startPath(type, entry);
  return html`<li class="card" data-testid="credential-type" data-configuration-id="${type.id}" data-issuer="${entry.key}" aria-labelledby="${headingId}">
<div class="card-band ${themeClass(shown)}">
${shown.logo ? html`<img class="logo" src="${shown.logo.uri}" alt="${shown.logo.alt}" width="48" height="48">` : ''}
<h2 id="${headingId}">${shown.name}</h2>
</div>
${shown.description ? html`<p>${shown.description}</p>` : ''}
<p class="actions">
<a class="button" id="start-${token}" data-testid="start-${token}" href="${start}">${pc.m.getCredential(shown.name)}</a>
<a class="button secondary" id="bind-${token}" data-testid="bind-${token}" href="${withParam(start, 'holder', 'browser')}">${pc.m.bindToBrowser(shown.name)}</a>
</p>
</li>`;
}

/** Whether a type matches a search: its name or description in this locale, or its issuer's name. */
function matches(type: CredentialType, issuerName: string, locale: string, query: string): boolean {
  if (!query) return true;
  const shown = localizeType(type, locale);
  const haystack = [shown.name, shown.description ?? '', type.name, issuerName].join(' ').toLocaleLowerCase();
  return query
    .toLocaleLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

function issuerSection(pc: PageContext, entry: IssuerEntry, query: string): SafeHtml | undefined {
  const headingId = `issuer-${entry.key}`;
  if (!entry.catalog) {
    return html`<section class="issuer" aria-labelledby="${headingId}" data-testid="issuer-unavailable">
<h2 id="${headingId}">${new URL(entry.url).host}</h2>
<p class="unavailable">${pc.m.issuerUnavailable} <code>${entry.error.code ?? ''}</code></p></section>`;
  }
  const catalog = entry.catalog;
  const name = pickDisplay(catalog.display, pc.locale)?.name ?? catalog.name;
  const types = catalog.types.filter((t) => canStart(t) && matches(t, name, pc.locale, query));
  if (query && !types.length) return undefined;
  return html`<section class="issuer" aria-labelledby="${headingId}" data-testid="issuer" data-issuer="${entry.key}">
<h2 id="${headingId}">${pc.m.issuedBy(name)}</h2>
${
  types.length
    ? html`<ul class="card-list" id="credential-types${entry.primary ? '' : `-${entry.key}`}" data-testid="credential-types">${types.map(
        (type) => typeCard(pc, { ...entry, catalog }, type),
      )}</ul>`
    : html`<p class="notice info" id="no-credential-types">${pc.m.noTypes}</p>`
}
</section>`;
}

/**
 * The catalogue: per issuer, one card per credential configuration the portal can obtain, rendered
 * from the issuer's display metadata in the person's language; a search form that works without
 * script (a GET the server filters).
 */
export function landingPage(pc: PageContext, entries: IssuerEntry[], query: string): SafeHtml {
  const sections = entries.map((entry) => issuerSection(pc, entry, query)).filter((s) => s !== undefined);
  const count = entries.flatMap((e) =>
    e.catalog
      ? e.catalog.types.filter(
          (t) =>
            canStart(t) &&
            matches(t, pickDisplay(e.catalog.display, pc.locale)?.name ?? e.catalog.name, pc.locale, query),
        )
      : [],
  ).length;
  const primary = entries[0]?.catalog;
  const body = html`<h1>${pc.m.catalogHeading}</h1>
<p class="lead">${pc.m.catalogLead}</p>
<form class="search" role="search" method="get" action="/">
<label for="q">${pc.m.searchLabel}</label>
<input type="search" id="q" name="q" value="${query}" maxlength="100">
<button class="button" type="submit">${pc.m.searchButton}</button>
</form>
${query ? html`<p class="lead" id="search-results" role="status">${pc.m.searchResults(count, query)}</p>` : ''}
${query && !count ? html`<p class="notice info" id="no-results">${pc.m.noResults}</p>` : ''}
${sections}`;
  return layout(pc, {
    title: pc.m.catalogTitle,
    heading: primary ? (pickDisplay(primary.display, pc.locale)?.name ?? primary.name) : undefined,
    body,
  });
}
