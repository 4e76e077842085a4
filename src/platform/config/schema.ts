import { type Static, Type as T } from '@sinclair/typebox';
import { Pkcs11Config, RotationConfig } from '../keys/settings.js';
import { AuthzClient, AuthzLogin } from './schema-authz.js';
import { Overload, RateLimitStore } from './schema-limits.js';
import { DatabaseUrl, RegistrySource } from './schema-parts.js';

export type { AuthzClientConfig, AuthzLoginConfig } from './schema-authz.js';
export type { RateLimitConfig } from './schema-limits.js';
export { AuthzClient };

const service = (name: string) => ({
  host: T.String({ minLength: 1, description: `Interface ${name} listens on (0.0.0.0: all).` }),
  port: T.Integer({ minimum: 0, maximum: 65535, description: `Port ${name} listens on.` }),
  publicUrl: T.String({
    format: 'uri',
    pattern: '^https?://[^/]+(/.*[^/])?$',
    description: `The URL other parties know ${name} by (its identifier); https outside development mode.`,
  }),
  database: DatabaseUrl(`${name}'s database: sqlite:<path> (relative to dataDir) or postgres://….`),
});

export const ConfigSchema = T.Object({
  mode: T.Union([T.Literal('development'), T.Literal('production')], {
    description:
      '`development` allows plain-http public URLs on localhost and the dev outbox; `production` refuses them.',
  }),
  haip: T.Boolean({
    description:
      'OpenID4VC High Assurance Interoperability Profile 1.0 mode (docs/standards.md, HAIP): authz requires PAR and DPoP-bound tokens (ES256 proofs) of every code-flow client, whatever its record says (client_credentials-only service clients keep theirs); the issuer accepts only DPoP-bound access tokens (its token endpoint issues only those) and ES256 `jwt`/`attestation` key proofs and DPoP proofs, advertises ES256 only, and names the wallet by `haip://` in its offers.',
  }),
  dataDir: T.String({
    minLength: 1,
    description:
      "Folder of Attesta's files: relative SQLite paths and the master key file are taken inside it (relative to the working directory itself).",
  }),
  log: T.Object({
    level: T.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => T.Literal(l)),
      { description: 'Log level of every service (pino).' },
    ),
  }),
  /** Stopping on SIGTERM/SIGINT (docs/operations.md). */
  shutdown: T.Object({
    drainSeconds: T.Integer({
      minimum: 0,
      maximum: 300,
      description:
        "Seconds between the stop signal and closing the listeners: readiness already reports not ready while requests are still served. Set it to the load balancer's health-check interval.",
    }),
    graceSeconds: T.Integer({
      minimum: 0,
      maximum: 600,
      description:
        'Seconds open requests get to finish once the listeners are closed; connections still open then are closed.',
    }),
  }),
  /** HTTP server limits of every service. */
  http: T.Object({
    requestTimeoutSeconds: T.Integer({
      minimum: 0,
      maximum: 3600,
      description:
        'A request (headers and body) must arrive within this many seconds, else 408; 0: no limit.',
    }),
    headersTimeoutSeconds: T.Integer({
      minimum: 1,
      maximum: 3600,
      description: 'The request headers must arrive within this many seconds.',
    }),
    keepAliveTimeoutSeconds: T.Integer({
      minimum: 1,
      maximum: 3600,
      description:
        "An idle keep-alive connection is closed after this many seconds (keep it above the load balancer's idle timeout).",
    }),
    trustProxy: T.String({
      maxLength: 1000,
      description:
        'Addresses or CIDR ranges of the reverse proxies in front, comma-separated (e.g. `10.0.0.0/8`; also `loopback`, `linklocal`, `uniquelocal`). Only a request from one of them has its X-Forwarded-For/-Proto/-Host believed: per-client limits and audit see the client, and authz sets Secure cookies behind a TLS proxy. Empty: no proxy is trusted.',
    }),
  }),
  /** Database connections of every service (each service has its own pool per process). */
  overload: Overload,
  rateLimit: RateLimitStore,
  database: T.Object({
    poolSize: T.Integer({
      minimum: 1,
      maximum: 1000,
      description:
        "PostgreSQL: connections each service keeps per process, at most, besides its group commit's one connection.",
    }),
    statementTimeoutMs: T.Integer({
      minimum: 0,
      description:
        'PostgreSQL: a statement running longer is cancelled (statement_timeout), milliseconds; 0: no limit.',
    }),
    connectTimeoutMs: T.Integer({
      minimum: 0,
      description: 'PostgreSQL: how long to wait for a new connection, milliseconds; 0: no limit.',
    }),
    busyTimeoutMs: T.Integer({
      minimum: 0,
      description: "SQLite: how long a writer waits for another writer's lock (busy_timeout), milliseconds.",
    }),
  }),
  /** Prometheus metrics (docs/operations.md#metrics): never on a public listener unless a token guards them. */
  metrics: T.Object({
    host: T.String({
      minLength: 1,
      description: 'Interface of the management listener that serves /metrics (0.0.0.0 in a container).',
    }),
    port: T.Integer({
      minimum: 0,
      maximum: 65535,
      description: 'Port of the management listener that serves /metrics; 0: no management listener.',
    }),
    token: T.String({
      description:
        'Bearer token required on /metrics; empty: none. With port 0, a token serves /metrics on each public listener behind it.',
    }),
  }),
  /** OpenTelemetry traces (docs/operations.md#traces): off unless an OTLP endpoint is set. */
  tracing: T.Object({
    otlpEndpoint: T.String({
      description:
        'OTLP/HTTP traces URL (e.g. http://otel-collector:4318/v1/traces); empty: tracing off and the SDK not loaded.',
    }),
    sampleRatio: T.Number({
      minimum: 0,
      maximum: 1,
      description:
        'Share of new traces recorded; a request arriving with a sampled traceparent is always recorded.',
    }),
  }),
  keys: T.Object({
    masterKeyFile: T.String({
      minLength: 1,
      description:
        'File holding the 32-byte master key (hex) when ATTESTA_MASTER_KEY is not set; created with mode 0600 on first start. Relative to dataDir.',
    }),
    pkcs11: T.Optional(Pkcs11Config),
    rotation: T.Optional(RotationConfig),
    certificateWarningDays: T.Optional(
      T.Integer({
        minimum: 1,
        maximum: 365,
        description:
          'Days before a certificate ends from which it is warned about in the logs, readiness and `attesta keys list` (default 30).',
      }),
    ),
  }),
  /** The admin APIs of authz and the issuer (docs/security.md, Admin APIs). */
  admin: T.Object({
    rateLimit: T.Object({
      max: T.Integer({
        minimum: 1,
        description:
          'Calls per caller address and window to an admin API (authz or issuer), counted before any credential is checked; past it 429 with Retry-After.',
      }),
      windowSeconds: T.Integer({
        minimum: 1,
        maximum: 3600,
        description: 'The window of admin.rateLimit.max, seconds.',
      }),
    }),
  }),
  registry: T.Object({
    ...RegistrySource,
    database: DatabaseUrl("The identity registry's database (own `identities` table, or the mapped table)."),
    seedDemo: T.Boolean({
      description:
        'Seed the demo identities into an empty registry on start (own SQL table only), and the demo credential configurations.',
    }),
  }),
  authz: T.Object({
    ...service('authz'),
    accessTokenTtl: T.Integer({
      minimum: 30,
      maximum: 86400,
      description: 'Lifetime of access tokens, seconds.',
    }),
    authorizationCodeTtl: T.Integer({
      minimum: 10,
      maximum: 600,
      description: 'Lifetime of authorization codes, seconds.',
    }),
    keyReloadSeconds: T.Integer({
      minimum: 1,
      maximum: 86400,
      description:
        'How often a running instance checks for a newer signing key (`attesta keys rotate authz`), seconds.',
    }),
    claimsLocales: T.Array(T.String({ pattern: '^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$' }), {
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      description:
        "Languages (BCP 47) the identity registry's claim values are written in, advertised as `claims_locales_supported` (OpenID Connect Discovery 1.0 §3). authz returns each claim once, as the registry holds it, without language tags (OpenID Connect Core 1.0 §5.2).",
    }),
    /** Resource servers (RFC 8707) allowed as token audiences, with the scopes each accepts. */
    resources: T.Array(T.Object({ identifier: T.String({ format: 'uri' }), scopes: T.Array(T.String()) }), {
      description: 'Resource servers (RFC 8707) allowed as token audiences, with the scopes each accepts.',
    }),
    clients: T.Array(AuthzClient, {
      description:
        "OAuth clients seeded into authz's database on first start; then managed with `attesta clients` or the admin API (docs/authz-protocol.md).",
    }),
    login: AuthzLogin,
  }),
  issuer: T.Object({
    ...service('issuer'),
    authorizationServers: T.Array(T.String({ format: 'uri' }), {
      minItems: 1,
      description:
        'OAuth authorization servers whose access tokens the issuer accepts (their issuer identifiers).',
    }),
    nonceTtl: T.Integer({ minimum: 10, maximum: 3600, description: 'Lifetime of a c_nonce, seconds.' }),
    proofMaxAge: T.Integer({
      minimum: 10,
      maximum: 3600,
      description: "Allowed clock skew and age of a proof's `iat`, seconds.",
    }),
    credentialTtl: T.Integer({
      minimum: 60,
      description: "Validity of an issued credential, seconds (capped by a record's own end of validity).",
    }),
    /** Subject of the mdoc IACA root and document-signer certificates (docs/formats.md). */
    mdoc: T.Optional(
      T.Object({
        country: T.String({
          pattern: '^[A-Z]{2}$',
          description:
            "mdoc IACA and document-signer certificate country (ISO 3166-1 alpha-2); verifiers compare it with an mDL's issuing_country.",
        }),
        organization: T.String({
          minLength: 1,
          maxLength: 64,
          description: 'mdoc certificate organization.',
        }),
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
      {
        description: 'Issuer display per locale (OpenID4VCI 1.0 §12.2.4): name, logo with alt text, colours.',
      },
    ),
    /** Grant revocations read from authz (docs/security.md, "Grant revocation"). */
    revocationFeed: T.Object({
      clientId: T.String({
        description:
          "The issuer's client id at the first authorization server, to read its grant revocation feed (scope authz:revocations, private_key_jwt with the keys at <issuer>/.well-known/client-jwks.json); empty: no feed is read.",
      }),
      intervalSeconds: T.Integer({
        minimum: 1,
        maximum: 60,
        description:
          'How often the revocation feed is read, seconds: the usual delay before a revoked grant is refused.',
      }),
      staleAfterSeconds: T.Integer({
        minimum: 2,
        maximum: 600,
        description:
          "Without a successful read for this long, tokens of that server that name a grant are refused (503 + Retry-After): the longest a revoked grant's token can be accepted, seconds.",
      }),
    }),
    /** OpenID4VCI protocol options (docs/issuer-protocol.md). */
    protocol: T.Object({
      encryptionRequired: T.Boolean({
        description: 'Credential requests and responses must be encrypted (OpenID4VCI 1.0 §10).',
      }),
      offerTtl: T.Integer({
        minimum: 60,
        maximum: 2592000,
        description: 'Lifetime of a credential offer and its pre-authorized code, seconds.',
      }),
      txCodeAttempts: T.Integer({
        minimum: 1,
        maximum: 10,
        description: 'Wrong transaction codes allowed before a pre-authorized code dies.',
      }),
      accessTokenTtl: T.Integer({
        minimum: 30,
        maximum: 86400,
        description: 'Lifetime of access tokens minted for the pre-authorized grant, seconds.',
      }),
      deferredTtl: T.Integer({
        minimum: 60,
        maximum: 2592000,
        description: 'How long a deferred transaction may be collected, seconds.',
      }),
      notificationTtl: T.Integer({
        minimum: 3600,
        maximum: 31536000,
        description:
          'How long a notification_id is answered at the notification endpoint, seconds; older notification rows are deleted.',
      }),
      trustedAttesters: T.Array(T.Record(T.String(), T.Unknown()), {
        maxItems: 50,
        description:
          'Public JWKs of wallet providers whose key attestations are trusted (OpenID4VCI 1.0 Appendix D).',
      }),
      /** RFC 7662 endpoints for opaque access tokens of configured authorization servers. */
      introspection: T.Array(
        T.Object({
          issuer: T.String({ format: 'uri' }),
          endpoint: T.String({ format: 'uri' }),
          clientId: T.String({ minLength: 1 }),
          clientSecret: T.String({ minLength: 1 }),
        }),
        {
          description:
            'RFC 7662 endpoints for opaque access tokens of configured authorization servers (issuer, endpoint, clientId, clientSecret).',
        },
      ),
    }),
  }),
  portal: T.Object({
    ...service('portal'),
    issuerUrl: T.String({
      format: 'uri',
      description: "Our credential issuer's identifier (its metadata is fetched from it).",
    }),
    issuers: T.Array(T.String({ format: 'uri' }), {
      description: 'Further OpenID4VCI credential issuers shown in the catalogue (their identifiers).',
    }),
    clientId: T.String({ minLength: 1, description: "The portal's client id at authz." }),
    sessionSecret: T.String({
      description: 'Secret for signing the session cookie; derived from the master key when empty.',
    }),
    issuerApiKey: T.String({
      description:
        "API key of our issuer's admin API, to create add-to-wallet offers; empty: no wallet hand-off.",
    }),
  }),
});

export type Config = Static<typeof ConfigSchema>;
export type ServiceName = 'authz' | 'issuer' | 'portal';
