import type { IssuerEntry } from '../catalog/catalogs.js';
import { type CredentialGroup, formatName, groupTypes } from '../catalog/groups.js';
import {
  type CredentialType,
  type IssuerCatalog,
  localizeType,
  pickDisplay,
} from '../catalog/issuer-metadata.js';
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

function groupCard(
  pc: PageContext,
  entry: IssuerEntry & { catalog: object },
  group: CredentialGroup,
): SafeHtml {
  const { primary } = group;
  const shown = localizeType(primary, pc.locale);
  const token = (type: CredentialType) => htmlToken(entry.primary ? type.id : `${entry.key}-${type.id}`);
  const headingId = `type-${token(primary)}-name`;
  const start = startPath(primary, entry);
  const others = group.types.slice(1);
  return html`<li class="card" data-testid="credential-type" data-configuration-id="${primary.id}" data-configurations="${group.types.map((t) => t.id).join(' ')}" data-issuer="${entry.key}" aria-labelledby="${headingId}">
<div class="card-band ${themeClass(shown)}">
${shown.logo ? html`<img class="logo" src="${shown.logo.uri}" alt="${shown.logo.alt}" width="48" height="48">` : ''}
<h2 id="${headingId}">${shown.name}</h2>
</div>
${shown.description ? html`<p>${shown.description}</p>` : ''}
<p class="actions">
<a class="button" id="start-${token(primary)}" data-testid="start-${token(primary)}" href="${start}">${pc.m.getCredential(shown.name)}</a>
<a class="button secondary" id="bind-${token(primary)}" data-testid="bind-${token(primary)}" href="${withParam(start, 'holder', 'browser')}">${pc.m.bindToBrowser(shown.name)}</a>
</p>
${
  others.length
    ? html`<details class="other-formats" data-testid="other-formats">
<summary>${pc.m.otherFormats}</summary>
<p>${pc.m.otherFormatsHint}</p>
<ul>${others.map(
        (type) =>
          html`<li><a id="start-${token(type)}" data-testid="start-${token(type)}" data-format="${type.format}" href="${startPath(type, entry)}">${pc.m.formatNames[formatName(type)]}</a></li>`,
      )}</ul>
</details>`
    : ''
}
</li>`;
}

/** Whether a credential matches a search: the name or description of any of its configurations, or its issuer's name. */
function matches(group: CredentialGroup, issuerName: string, locale: string, query: string): boolean {
  if (!query) return true;
  const haystack = group.types
    .flatMap((type) => {
      const shown = localizeType(type, locale);
      return [shown.name, shown.description ?? '', type.name];
    })
    .concat(issuerName)
    .join(' ')
    .toLocaleLowerCase();
  return query
    .toLocaleLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}

/** The credentials of an issuer the portal can obtain that match the search, one per group. */
function shownGroups(
  catalog: IssuerCatalog,
  issuerName: string,
  locale: string,
  query: string,
): CredentialGroup[] {
  return groupTypes(catalog.types.filter(canStart)).filter((g) => matches(g, issuerName, locale, query));
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
  const groups = shownGroups(catalog, name, pc.locale, query);
  if (query && !groups.length) return undefined;
  return html`<section class="issuer" aria-labelledby="${headingId}" data-testid="issuer" data-issuer="${entry.key}">
<h2 id="${headingId}">${pc.m.issuedBy(name)}</h2>
${
  groups.length
    ? html`<ul class="card-list" id="credential-types${entry.primary ? '' : `-${entry.key}`}" data-testid="credential-types">${groups.map(
        (group) => groupCard(pc, { ...entry, catalog }, group),
      )}</ul>`
    : html`<p class="notice info" id="no-credential-types">${pc.m.noTypes}</p>`
}
</section>`;
}

/**
 * The catalogue: per issuer, one card per credential the portal can obtain (its configurations in
 * several formats grouped, the journey's format chosen, the others one click away), rendered
 * from the issuer's display metadata in the person's language; a search form that works without
 * script (a GET the server filters).
 */
export function landingPage(pc: PageContext, entries: IssuerEntry[], query: string): SafeHtml {
  const sections = entries.map((entry) => issuerSection(pc, entry, query)).filter((s) => s !== undefined);
  const count = entries.flatMap((e) =>
    e.catalog
      ? shownGroups(
          e.catalog,
          pickDisplay(e.catalog.display, pc.locale)?.name ?? e.catalog.name,
          pc.locale,
          query,
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
