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

export const ConfigSchema = T.Object({
  /** `development` allows plain-http public URLs on localhost; `production` refuses them. */
  mode: T.Union([T.Literal('development'), T.Literal('production')]),
  dataDir: T.String({ minLength: 1 }),
  log: T.Object({
    level: T.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l))),
  }),
  keys: T.Object({
    /** File holding the 32-byte master key (hex) when ATTESTA_MASTER_KEY is not set; created 0600. */
    masterKeyFile: T.String({ minLength: 1 }),
  }),
  registry: T.Object({
    /** Which adapter reads the registry (docs/authz.md): Attesta's own SQL table, a mapped table, CSV, HTTP. */
    adapter: T.Optional(T.Union([T.Literal('sql'), T.Literal('csv'), T.Literal('http')])),
    database: DatabaseUrl,
    /** Seed the demo identities into an empty registry on start (own SQL table only). */
    seedDemo: T.Boolean(),
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
  }),
  issuer: T.Object({
    ...Service,
    /** OAuth authorization servers whose access tokens the issuer accepts (their issuer identifiers). */
    authorizationServers: T.Array(T.String({ format: 'uri' }), { minItems: 1 }),
    nonceTtl: T.Integer({ minimum: 10, maximum: 3600 }),
    /** Allowed clock skew / age for proof `iat`, seconds. */
    proofMaxAge: T.Integer({ minimum: 10, maximum: 3600 }),
    credentialTtl: T.Integer({ minimum: 60 }),
    display: T.Array(T.Object({ name: T.String(), locale: T.String() })),
  }),
  portal: T.Object({
    ...Service,
    issuerUrl: T.String({ format: 'uri' }),
    /** Further OpenID4VCI credential issuers shown in the catalogue (their identifiers). */
    issuers: T.Array(T.String({ format: 'uri' })),
    clientId: T.String({ minLength: 1 }),
    /** Secret for signing the session cookie; derived from the master key when empty. */
    sessionSecret: T.String(),
  }),
});

export type Config = Static<typeof ConfigSchema>;
export type AuthzClientConfig = Static<typeof AuthzClient>;
export type ServiceName = 'authz' | 'issuer' | 'portal';
