import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { errors, type Interaction, type Provider } from 'oidc-provider';
import type { Config } from '../../platform/config/index.js';
import type { Commit } from '../../platform/db/index.js';
import type { IdentityRegistry } from '../../platform/registry/index.js';
import { chooseAcr, type Factor, factorOf } from '../factors/acr.js';
import { keyedHash } from '../factors/secrets.js';
import { chooseLocale, type Locale, messagesFor } from '../i18n/index.js';
import type { Notifier } from '../notify/index.js';
import type { Realm, Realms } from '../realms.js';
import type { AuthzTables } from '../storage/adapter.js';
import type { SignInTables } from '../storage/sign-in-tables.js';
import { messagePage } from '../views/html.js';
import type { KbiField } from '../views/login.js';
import { submitResult } from './result.js';

export interface SignInOptions {
  provider: Provider;
  registry: IdentityRegistry;
  db: Kysely<AuthzTables & SignInTables>;
  /** Runs a unit of writes (group-committed on SQLite); without it, straight on `db`. */
  commit?: Commit;
  config: Config;
  notifier: Notifier;
  /** The KBI realms (src/authz/realms.ts): registry and fields per ACR. */
  realms: Realms;
  /** Key for the keyed hashes of individual IDs (lockouts, consents) and OTP codes. */
  hashKey: Buffer;
}

export type UidRequest = FastifyRequest<{ Params: { uid: string }; Querystring?: { lang?: string } }>;

/** What the pages need to know about the client: its display name, logo and allowed ACRs. */
export interface ClientInfo {
  clientId: string;
  name: string;
  logoUri?: string;
  acrValues: string[];
}

export const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

export const redirect = (reply: FastifyReply, to: string) =>
  reply.header('cache-control', 'no-store').redirect(to, 303);

/** The shared state and helpers of every interaction route. */
export class SignIn {
  /** The default realm's fields and ID field (also those of the OTP and password factors). */
  readonly fields: KbiField[];
  readonly idField: KbiField;

  constructor(readonly options: SignInOptions) {
    this.fields = options.realms.defaultRealm.fields;
    this.idField = options.realms.defaultRealm.idField;
  }

  /** The KBI realm an ACR signs in to (the default realm for the built-in ACRs). */
  realmOf(acr: string): Realm {
    return this.options.realms.of(acr);
  }

  get login() {
    return this.options.config.authz.login;
  }

  /** The interaction of this browser (by its cookie), which must be the one in the URL. */
  async load(request: UidRequest, reply: FastifyReply): Promise<Interaction | undefined> {
    try {
      const interaction = await this.options.provider.interactionDetails(request.raw, reply.raw);
      return interaction.uid === request.params.uid ? interaction : undefined;
    } catch (error) {
      if (error instanceof errors.SessionNotFound) return undefined;
      throw error;
    }
  }

  /** Page language: the switcher (`lang` in query or form), `ui_locales`, Accept-Language. */
  locale(request: FastifyRequest, interaction?: Interaction): Locale {
    const query = request.query as { lang?: unknown } | undefined;
    const body = request.body as { lang?: unknown } | undefined;
    const explicit = [body?.lang, query?.lang].find((v): v is string => typeof v === 'string');
    const uiLocales = interaction?.params.ui_locales;
    return chooseLocale({
      explicit,
      uiLocales: typeof uiLocales === 'string' ? uiLocales : undefined,
      acceptLanguage: request.headers['accept-language'],
    });
  }

  expired(reply: FastifyReply, locale: Locale) {
    const m = messagesFor(locale);
    return html(reply, 400, messagePage(m.expiredTitle, m.expiredMessage, { locale }));
  }

  async client(interaction: Interaction, locale: Locale): Promise<ClientInfo> {
    const clientId = String(interaction.params.client_id ?? '');
    // Not in our type shim (src/authz/oidc-provider.d.ts): the Client model's finder.
    const models = this.options.provider as unknown as {
      Client: { find(id: string): Promise<{ clientName?: string; logoUri?: string } | undefined> };
    };
    const client = await models.Client.find(clientId);
    // Extra metadata the client records carry (src/authz/clients/record.ts); the configuration
    // is the fallback for clients that only exist there.
    const extra = (client ?? {}) as { attesta_acr_values?: unknown; attesta_client_names?: unknown };
    const configured = this.options.config.authz.clients.find((c) => c.client_id === clientId);
    const names = (extra.attesta_client_names ?? configured?.client_names ?? {}) as Record<string, string>;
    const acrValues = Array.isArray(extra.attesta_acr_values)
      ? (extra.attesta_acr_values as string[])
      : (configured?.acr_values ?? []);
    return {
      clientId,
      name: names[locale] ?? client?.clientName ?? configured?.client_name ?? clientId,
      logoUri: client?.logoUri ?? configured?.logo_uri,
      acrValues: acrValues.length ? acrValues : (configured?.acr_values ?? []),
    };
  }

  /** The ACR and factor of this sign-in, from the request and the client's allowed ACRs. */
  acrOf(interaction: Interaction, client: ClientInfo): { acr: string; factor: Factor } {
    const acr = chooseAcr({
      acrValues: interaction.params.acr_values,
      claims: interaction.params.claims,
      scope: interaction.params.scope,
      acrByScope: this.login.acrByScope,
      allowed: client.acrValues,
      extraSupported: this.options.realms.acrs,
      defaultAcr: this.login.defaultAcr,
    });
    return { acr, factor: factorOf(acr) ?? 'kbi' };
  }

  /** The keyed hash of an ID for lockouts; a configured realm's IDs are counted apart. */
  idHash(individualId: string, realm?: Realm): string {
    const label =
      !realm || realm === this.options.realms.defaultRealm ? 'individual id' : `id in ${realm.acr}`;
    return keyedHash(this.options.hashKey, label, individualId);
  }

  /**
   * Ends the interaction (as loaded by `load`) with a signed-in account; the ID token carries `acr`,
   * `amr`, `auth_time`.
   */
  async finishLogin(
    reply: FastifyReply,
    interaction: Interaction,
    login: { accountId: string; acr: string; amr: string[] },
  ) {
    const returnTo = await submitResult(
      interaction,
      // `ts` (auth_time) is oidc-provider's login result field, missing from our type shim.
      { login: { ...login, ts: Math.floor(Date.now() / 1000) } as typeof login },
      { mergeWithLastSubmission: false },
    );
    return redirect(reply, returnTo);
  }

  /** Ends the interaction (as loaded by `load`) with an error the client receives (e.g. access_denied). */
  async finishWithError(reply: FastifyReply, interaction: Interaction, error: string, description: string) {
    const returnTo = await submitResult(
      interaction,
      { error, error_description: description },
      { mergeWithLastSubmission: false },
    );
    return redirect(reply, returnTo);
  }
}
