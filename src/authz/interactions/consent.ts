import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Interaction, Provider } from 'oidc-provider';
import { SCOPE_CLAIMS } from '../accounts.js';
import { clock } from '../factors/clock.js';
import { keyedHash } from '../factors/secrets.js';
import type { Locale } from '../i18n/index.js';
import { findConsent, saveConsent } from '../storage/consents.js';
import { beforeAnswer } from '../storage/request-writes.js';
import type { SignInTables } from '../storage/sign-in-tables.js';
import { type ConsentItem, consentPage } from '../views/consent.js';
import { html, redirect, type SignIn } from './context.js';
import { submitResult } from './result.js';

interface ConsentDetails {
  missingOIDCScope?: string[];
  missingOIDCClaims?: string[];
  missingResourceScopes?: Record<string, string[]>;
}

/**
 * Grants what the consent prompt reports as missing (OpenID scopes and claims, resource-server
 * scopes per RFC 8707 resource) and returns the grant id. oidc-provider has already bounded the
 * request by the client's registration and the resource server's scopes.
 */
export async function grantRequested(provider: Provider, interaction: Interaction): Promise<string> {
  const accountId = interaction.session?.accountId;
  const clientId = interaction.params.client_id;
  if (!accountId || typeof clientId !== 'string') throw new Error('consent without a signed-in account');
  const existing = interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined;
  const grant = existing ?? new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details as ConsentDetails;
  if (details.missingOIDCScope?.length) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims?.length) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  return grant.save();
}

/** What the prompt asks to grant, as stable keys (stored with a remembered consent). */
export function requestedKeys(interaction: Interaction): string[] {
  const details = interaction.prompt.details as ConsentDetails;
  return [
    ...(details.missingOIDCScope ?? []).map((s) => `scope:${s}`),
    ...(details.missingOIDCClaims ?? []).map((c) => `claim:${c}`),
    ...Object.entries(details.missingResourceScopes ?? {}).flatMap(([resource, scopes]) =>
      scopes.map((s) => `resource:${resource} ${s}`),
    ),
  ];
}

/** Claims the `claims` parameter marks essential (OIDC Core §5.5.1), from both targets. */
function essentialClaims(claimsParam: unknown): Set<string> {
  const essential = new Set<string>();
  if (typeof claimsParam !== 'string') return essential;
  try {
    const parsed = JSON.parse(claimsParam) as Record<string, Record<string, { essential?: unknown } | null>>;
    for (const target of [parsed.id_token, parsed.userinfo]) {
      for (const [claim, request] of Object.entries(target ?? {})) {
        if (request?.essential === true) essential.add(claim);
      }
    }
  } catch {
    // oidc-provider has already refused a malformed claims parameter.
  }
  return essential;
}

/**
 * The consent page's list: claims released by the requested OpenID scopes and by the claims
 * parameter (essential or voluntary as requested; scope claims are voluntary, OIDC Core §5.4), and
 * the resource-server scopes (the credentials the client asks for, which it cannot do without).
 */
export function consentItems(interaction: Interaction): ConsentItem[] {
  const details = interaction.prompt.details as ConsentDetails;
  const essential = essentialClaims(interaction.params.claims);
  const claims = new Set<string>();
  for (const scope of details.missingOIDCScope ?? []) {
    for (const claim of SCOPE_CLAIMS[scope as keyof typeof SCOPE_CLAIMS] ?? []) claims.add(claim);
  }
  for (const claim of details.missingOIDCClaims ?? []) claims.add(claim);
  const items: ConsentItem[] = [...claims]
    .filter((c) => !['acr', 'amr', 'auth_time'].includes(c))
    .map((name) => ({ name, kind: 'claim', essential: name === 'sub' || essential.has(name) }));
  const scopes = new Set(Object.values(details.missingResourceScopes ?? {}).flat());
  for (const name of scopes) items.push({ name, kind: 'scope', essential: true });
  return items;
}

const forcesConsent = (interaction: Interaction) =>
  typeof interaction.params.prompt === 'string' && interaction.params.prompt.split(' ').includes('consent');

/**
 * The consent step: implicit for configured first-party clients and skipped while a remembered
 * consent covers everything asked, both unless `prompt=consent`; otherwise the consent page.
 */
export async function showConsent(
  signIn: SignIn,
  reply: FastifyReply,
  interaction: Interaction,
  locale: Locale,
) {
  const { provider, db } = signIn.options;
  const client = await signIn.client(interaction, locale);
  // prompt=consent asks even a first-party client (OIDC Core §3.1.2.1: the OP SHOULD prompt).
  const forced = forcesConsent(interaction);
  let granted = !forced && signIn.login.implicitConsentClients.includes(client.clientId);
  if (!granted && !forced) {
    const remembered = await findConsent(
      db,
      consentAccountHash(signIn, interaction),
      client.clientId,
      clock.now(),
    );
    granted = remembered !== undefined && requestedKeys(interaction).every((k) => remembered.has(k));
  }
  if (granted) {
    const grantId = await grantRequested(provider, interaction);
    const returnTo = await submitResult(interaction, { consent: { grantId } });
    return redirect(reply, returnTo);
  }
  const body = consentPage({
    uid: interaction.uid,
    locale,
    clientName: client.name,
    logoUri: client.logoUri,
    items: consentItems(interaction),
    rememberDays: Math.floor(signIn.login.consentTtl / 86400),
  });
  // The client's logo is the one image from elsewhere: only its origin is added to img-src.
  if (client.logoUri) {
    const csp = String(reply.getHeader('content-security-policy') ?? '');
    const origin = new URL(client.logoUri).origin;
    reply.header('content-security-policy', csp.replace("img-src 'self'", `img-src 'self' ${origin}`));
  }
  return html(reply, 200, body);
}

/**
 * Whose consent this is: the account within its realm. Two realms may use ids of the same shape
 * (a policy number and a national ID), so the realm's ACR is part of the key; keyed hash, no raw id.
 */
function consentAccountHash(signIn: SignIn, interaction: Interaction): string {
  const session = interaction.session as { accountId?: string; acr?: unknown } | undefined;
  const realm = signIn.realmOf(typeof session?.acr === 'string' ? session.acr : '').acr;
  return keyedHash(signIn.options.hashKey, 'account', `${realm} ${session?.accountId ?? ''}`);
}

/** The person's answer: allow (grant, remember) or deny (access_denied to the client). */
export async function decideConsent(
  signIn: SignIn,
  request: FastifyRequest,
  reply: FastifyReply,
  interaction: Interaction,
  decision: string,
) {
  const { provider, db, commit } = signIn.options;
  if (decision !== 'allow') {
    request.log.info({ interaction: interaction.uid }, 'consent denied');
    return signIn.finishWithError(reply, interaction, 'access_denied', 'the End-User denied consent');
  }
  const remember = async () => {
    if (signIn.login.consentTtl <= 0) return;
    const consent = {
      accountHash: consentAccountHash(signIn, interaction),
      clientId: String(interaction.params.client_id),
      granted: requestedKeys(interaction),
      now: clock.now(),
      ttlMs: signIn.login.consentTtl * 1000,
    };
    // Read and upsert in one unit: with the sign-in's other writes in one commit on SQLite; the
    // answer waits for it (interactions/routes.ts), this step does not.
    await beforeAnswer(
      'Consent',
      commit ? commit<void, SignInTables>((trx) => saveConsent(trx, consent)) : saveConsent(db, consent),
    );
  };
  // The grant, the remembered consent and the result naming the grant are written before the answer
  // (interactions/routes.ts), together: on SQLite, one group commit rather than one after the other.
  const [grantId] = await Promise.all([grantRequested(provider, interaction), remember()]);
  const returnTo = await submitResult(interaction, { consent: { grantId } });
  return redirect(reply, returnTo);
}
