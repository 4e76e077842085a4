import { type Static, Type as T } from '@sinclair/typebox';

/** A database is named by URL: `sqlite:<path>` (embedded) or `postgres://…`. */
const DatabaseUrl = T.String({ pattern: '^(sqlite:.+|postgres(ql)?://.+)$' });

const Service = {
  host: T.String({ minLength: 1 }),
  port: T.Integer({ minimum: 0, maximum: 65535 }),
  /** The identifier other parties see (issuer URL, redirect base). */
  publicUrl: T.String({ format: 'uri', pattern: '^https?://[^/]+(/.*[^/])?$' }),
  database: DatabaseUrl,
};

/**
 * An OAuth client of authz (seeded into its database on first start, then managed through the admin
 * API and `attesta clients`); docs/authz-protocol.md describes each field.
 */
export const AuthzClient = T.Object(
  {
    client_id: T.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9._:-]+$' }),
    client_name: T.Optional(T.String({ maxLength: 200 })),
    /** Display name per locale (BCP 47 tag → name); `client_name` is the fallback. */
    client_names: T.Optional(
      T.Record(T.String({ pattern: '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$' }), T.String()),
    ),
    logo_uri: T.Optional(T.String({ format: 'uri' })),
    redirect_uris: T.Array(T.String({ format: 'uri' })),
    post_logout_redirect_uris: T.Optional(T.Array(T.String({ format: 'uri' }))),
    /** The client's keys for private_key_jwt (and request objects): by URL or inline, one of the two. */
    jwks_uri: T.Optional(T.String({ format: 'uri' })),
    jwks: T.Optional(T.Object({ keys: T.Array(T.Record(T.String(), T.Unknown()), { maxItems: 20 }) })),
    /** OpenID scopes and resource-server scopes the client may ask for, space-separated. */
    scope: T.String({ minLength: 1 }),
    grant_types: T.Optional(
      T.Array(
        T.Union([
          T.Literal('authorization_code'),
          T.Literal('refresh_token'),
          T.Literal('client_credentials'),
        ]),
        { minItems: 1, uniqueItems: true },
      ),
    ),
    /** Authentication context classes the client may request; the first is its default. */
    acr_values: T.Optional(T.Array(T.String({ minLength: 1 }))),
    require_pushed_authorization_requests: T.Optional(T.Boolean()),
    /** Access tokens must be DPoP-bound (RFC 9449); the token endpoint then also requires a server nonce. */
    dpop_bound_access_tokens: T.Optional(T.Boolean()),
    /** `ES256`: userinfo answers as a signed JWT (OIDC Core §5.3.2) instead of JSON. */
    userinfo_signed_response_alg: T.Optional(T.Literal('ES256')),
    disabled: T.Optional(T.Boolean()),
  },
  { additionalProperties: false },
);

/** Identity field (`fullName`, …) → the source's column, header or attribute name. */
const RegistryFieldMap = T.Record(T.String({ pattern: '^[a-zA-Z]+$' }), T.String({ minLength: 1 }));

/** Text per language (`{"en": "…", "fr": "…", "ar": "…"}`). */
const LocalisedText = T.Record(T.String({ pattern: '^[a-z]{2,3}$' }), T.String({ minLength: 1 }));

/** A field of the knowledge-based identification form (docs/authz.md). */
const KbiField = T.Object(
  {
    /** The form field name. */
    id: T.String({ pattern: '^[a-z][a-z0-9_]{0,40}$' }),
    /** The registry field it is compared with; exactly one field uses `individualId` (the lookup key). */
    attribute: T.String({ pattern: '^[a-zA-Z]+$' }),
    type: T.Union([T.Literal('text'), T.Literal('date')]),
    /** `name`: NFC, case-folded, spaces collapsed; `exact` (default): trimmed only. */
    match: T.Optional(T.Union([T.Literal('exact'), T.Literal('name')])),
    /** A regular expression the whole answer must match (checked before any lookup). */
    pattern: T.Optional(T.String({ minLength: 1 })),
    maxLength: T.Optional(T.Integer({ minimum: 1, maximum: 500 })),
    autocomplete: T.Optional(T.String()),
    label: LocalisedText,
  },
  { additionalProperties: false },
);

/** Where identities are read (docs/authz.md): the adapter and its settings. */
const RegistrySource = {
  /** Which adapter reads the registry (docs/authz.md): Attesta's own SQL table, a mapped table, CSV, HTTP. */
  adapter: T.Optional(T.Union([T.Literal('sql'), T.Literal('csv'), T.Literal('http')])),
  /** An existing table read through a column mapping instead of Attesta's own `identities` table. */
  sql: T.Optional(T.Object({ table: T.String({ minLength: 1 }), columns: RegistryFieldMap })),
  csv: T.Optional(T.Object({ file: T.String({ minLength: 1 }), columns: T.Optional(RegistryFieldMap) })),
  /** A search API in the style of Sunbird RC (`POST …/search` with `filters`). */
  http: T.Optional(
    T.Object({
      searchUrl: T.String({ format: 'uri' }),
      fields: RegistryFieldMap,
      timeoutMs: T.Integer({ minimum: 50, maximum: 60000 }),
      authorization: T.Optional(T.String()),
    }),
  ),
};

/**
 * A KBI realm: people of another registry (an insurer's policies, …) sign in with its own fields;
 * the account id (`sub`) is that registry's id. `registry.database` defaults to `registry.database`.
 */
const KbiRealm = T.Object(
  {
    acr: T.String({ minLength: 1, maxLength: 200 }),
    registry: T.Object(
      { ...RegistrySource, database: T.Optional(DatabaseUrl) },
      { additionalProperties: false },
    ),
    fields: T.Array(KbiField, { minItems: 2, maxItems: 8 }),
  },
  { additionalProperties: false },
);

/** Sign-in: factors, limits, OTP delivery, consent (docs/authz.md). */
const AuthzLogin = T.Object({
  /** The ACR used when neither the client nor the request chooses a supported one. */
  defaultAcr: T.String({ minLength: 1 }),
  /** Failed attempts (wrong details, wrong codes) allowed per authorization request. */
  maxAttempts: T.Integer({ minimum: 1, maximum: 20 }),
  /** After `failures` failed attempts for one individual ID, that ID is blocked for `seconds`. */
  lockout: T.Object({
    failures: T.Integer({ minimum: 1, maximum: 1000 }),
    seconds: T.Integer({ minimum: 1, maximum: 30 * 86400 }),
  }),
  /** Requests per client IP to the sign-in endpoints per window. */
  rateLimit: T.Object({
    max: T.Integer({ minimum: 1 }),
    windowSeconds: T.Integer({ minimum: 1, maximum: 3600 }),
  }),
  /** How long a consent is remembered, seconds (0: ask every time). */
  consentTtl: T.Integer({ minimum: 0, maximum: 365 * 86400 }),
  /** First-party clients whose requests are consented implicitly (no consent page). */
  implicitConsentClients: T.Array(T.String()),
  kbi: T.Object({ fields: T.Array(KbiField, { minItems: 2, maxItems: 8 }) }),
  /** Further KBI realms, each signed in with its own ACR, registry and fields (docs/authz.md). */
  realms: T.Optional(T.Array(KbiRealm, { maxItems: 10 })),
  /** Scope → the ACR a request for it signs in with, unless the request names an allowed ACR. */
  acrByScope: T.Optional(T.Record(T.String({ minLength: 1 }), T.String({ minLength: 1 }))),
  otp: T.Object({
    ttl: T.Integer({ minimum: 30, maximum: 900 }),
    resendCooldown: T.Integer({ minimum: 0, maximum: 600 }),
    maxSends: T.Integer({ minimum: 1, maximum: 10 }),
    /** Where codes go, in order of preference, among what the registry holds for the person. */
    channels: T.Array(T.Union([T.Literal('email'), T.Literal('phone')]), { minItems: 1 }),
  }),
  notify: T.Object({
    /** `outbox`: development only (console + /dev/outbox on localhost); `smtp`: e-mail through nodemailer. */
    transport: T.Union([T.Literal('outbox'), T.Literal('smtp')]),
    from: T.String({ minLength: 3 }),
    smtp: T.Optional(
      T.Object({
        host: T.String({ minLength: 1 }),
        port: T.Integer({ minimum: 1, maximum: 65535 }),
        /** Implicit TLS (port 465); otherwise STARTTLS when offered. */
        secure: T.Boolean(),
        user: T.Optional(T.String()),
        pass: T.Optional(T.String()),
      }),
    ),
  }),
});

export const ConfigSchema = T.Object({
  /** `development` allows plain-http public URLs on localhost; `production` refuses them. */
  mode: T.Union([T.Literal('development'), T.Literal('production')]),
  dataDir: T.String({ minLength: 1 }),
  log: T.Object({
    level: T.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l))),
  }),
  /** Stopping on SIGTERM/SIGINT (docs/operations.md). */
  shutdown: T.Object({
    /** Seconds between the signal and closing the listeners: readiness already says not ready, requests are still served. */
    drainSeconds: T.Integer({ minimum: 0, maximum: 300 }),
    /** Seconds open requests get to finish once the listeners are closed; then their connections are closed. */
    graceSeconds: T.Integer({ minimum: 0, maximum: 600 }),
  }),
  /** HTTP server limits of every service. */
  http: T.Object({
    /** A request (headers and body) must arrive within this many seconds, else 408; 0: no limit. */
    requestTimeoutSeconds: T.Integer({ minimum: 0, maximum: 3600 }),
    /** The request headers must arrive within this many seconds. */
    headersTimeoutSeconds: T.Integer({ minimum: 1, maximum: 3600 }),
    /** An idle keep-alive connection is closed after this many seconds (above the load balancer's idle timeout). */
    keepAliveTimeoutSeconds: T.Integer({ minimum: 1, maximum: 3600 }),
  }),
  keys: T.Object({
    /** File holding the 32-byte master key (hex) when ATTESTA_MASTER_KEY is not set; created 0600. */
    masterKeyFile: T.String({ minLength: 1 }),
  }),
  registry: T.Object({
    ...RegistrySource,
    database: DatabaseUrl,
    /** Seed the demo identities into an empty registry on start (own SQL table only). */
    seedDemo: T.Boolean(),
  }),
  authz: T.Object({
    ...Service,
    /** Lifetimes in seconds. */
    accessTokenTtl: T.Integer({ minimum: 30, maximum: 86400 }),
    authorizationCodeTtl: T.Integer({ minimum: 10, maximum: 600 }),
    /** How often a running instance checks for a newer signing key (`attesta keys rotate authz`). */
    keyReloadSeconds: T.Integer({ minimum: 1, maximum: 86400 }),
    /** Resource servers (RFC 8707) allowed as token audiences, with the scopes each accepts. */
    resources: T.Array(T.Object({ identifier: T.String({ format: 'uri' }), scopes: T.Array(T.String()) })),
    clients: T.Array(AuthzClient),
    login: AuthzLogin,
  }),
  issuer: T.Object({
    ...Service,
    /** OAuth authorization servers whose access tokens the issuer accepts (their issuer identifiers). */
    authorizationServers: T.Array(T.String({ format: 'uri' }), { minItems: 1 }),
    nonceTtl: T.Integer({ minimum: 10, maximum: 3600 }),
    /** Allowed clock skew / age for proof `iat`, seconds. */
    proofMaxAge: T.Integer({ minimum: 10, maximum: 3600 }),
    credentialTtl: T.Integer({ minimum: 60 }),
    /** Subject of the mdoc IACA root and document-signer certificates (docs/formats.md). */
    mdoc: T.Optional(
      T.Object({
        /** ISO 3166-1 alpha-2; verifiers compare it with an mDL's `issuing_country`. */
        country: T.String({ pattern: '^[A-Z]{2}$' }),
        organization: T.String({ minLength: 1, maxLength: 64 }),
      }),
    ),
    /** Issuer display per locale (OpenID4VCI 1.0 §12.2.4): name, logo with alt text, colours. */
    display: T.Array(
      T.Object({
        name: T.String(),
        locale: T.String(),
        logo: T.Optional(T.Object({ uri: T.String({ format: 'uri' }), alt_text: T.Optional(T.String()) })),
        description: T.Optional(T.String()),
        background_color: T.Optional(T.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
        text_color: T.Optional(T.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
      }),
    ),
    /** OpenID4VCI protocol options (docs/issuer-protocol.md). */
    protocol: T.Object({
      /** Credential requests and responses must be encrypted (§10). */
      encryptionRequired: T.Boolean(),
      /** Lifetime of a credential offer and its pre-authorized code, seconds. */
      offerTtl: T.Integer({ minimum: 60, maximum: 2592000 }),
      /** Wrong transaction codes allowed before a pre-authorized code dies. */
      txCodeAttempts: T.Integer({ minimum: 1, maximum: 10 }),
      /** Lifetime of access tokens minted for the pre-authorized grant, seconds. */
      accessTokenTtl: T.Integer({ minimum: 30, maximum: 86400 }),
      /** How long a deferred transaction may be collected, seconds. */
      deferredTtl: T.Integer({ minimum: 60, maximum: 2592000 }),
      /** Public keys of wallet providers whose key attestations are trusted (Appendix D). */
      trustedAttesters: T.Array(T.Record(T.String(), T.Unknown()), { maxItems: 50 }),
      /** RFC 7662 endpoints for opaque access tokens of configured authorization servers. */
      introspection: T.Array(
        T.Object({
          issuer: T.String({ format: 'uri' }),
          endpoint: T.String({ format: 'uri' }),
          clientId: T.String({ minLength: 1 }),
          clientSecret: T.String({ minLength: 1 }),
        }),
      ),
    }),
  }),
  portal: T.Object({
    ...Service,
    issuerUrl: T.String({ format: 'uri' }),
    /** Further OpenID4VCI credential issuers shown in the catalogue (their identifiers). */
    issuers: T.Array(T.String({ format: 'uri' })),
    clientId: T.String({ minLength: 1 }),
    /** Secret for signing the session cookie; derived from the master key when empty. */
    sessionSecret: T.String(),
    /** API key of our issuer's admin API, to create "add to wallet" offers; empty: no wallet hand-off. */
    issuerApiKey: T.String(),
  }),
});

export type Config = Static<typeof ConfigSchema>;
export type AuthzLoginConfig = Static<typeof AuthzLogin>;
export type AuthzClientConfig = Static<typeof AuthzClient>;
export type ServiceName = 'authz' | 'issuer' | 'portal';
