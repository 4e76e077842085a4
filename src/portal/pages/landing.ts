import type { CredentialType, IssuerCatalog } from '../catalog/issuer-metadata.js';
import { html, htmlToken, type SafeHtml } from '../html/html.js';
import { layout } from '../html/layout.js';
import { SUPPORTED_FORMATS } from '../issuance/obtain-credential.js';

/** Whether the portal can run the flow for a configuration: a scope to ask for and a format it verifies. */
export function canStart(type: CredentialType): boolean {
  return type.scope !== undefined && SUPPORTED_FORMATS.has(type.format);
}

export function startPath(type: CredentialType): string {
  return `/start/${encodeURIComponent(type.id)}`;
}

function typeCard(type: CredentialType): SafeHtml {
  const token = htmlToken(type.id);
  const headingId = `type-${token}-name`;
  return html`<li class="card" data-testid="credential-type" data-configuration-id="${type.id}" aria-labelledby="${headingId}">
<h2 id="${headingId}">${type.name}</h2>
${type.description ? html`<p>${type.description}</p>` : ''}
${
  canStart(type)
    ? html`<a class="button" id="start-${token}" data-testid="start-${token}" href="${startPath(type)}">Get ${type.name}</a>`
    : html`<p class="unavailable">This credential cannot be obtained through this portal.</p>`
}
</li>`;
}

/** The catalogue: one card per credential configuration the issuer offers. */
export function landingPage(catalog: IssuerCatalog): SafeHtml {
  const body = html`<h1>Get a digital credential</h1>
<p class="lead">Choose a credential issued by ${catalog.name}. You sign in to prove who you are, then you can
view the credential and download it.</p>
${
  catalog.types.length
    ? html`<ul class="card-list" id="credential-types" data-testid="credential-types">${catalog.types.map(typeCard)}</ul>`
    : html`<p class="notice info" id="no-credential-types">The issuer offers no credentials at the moment.</p>`
}`;
  return layout({ title: 'Credentials', heading: catalog.name, body });
}
