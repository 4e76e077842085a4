import { type Static, Type as T } from '@sinclair/typebox';
import { DatabaseUrl, RegistrySource } from './schema-parts.js';

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

/**
 * A KBI realm: people of another registry (an insurer's policies, …) sign in with its own fields;
 * the account id (`sub`) is that registry's id. `registry.database` defaults to `registry.database`.
 */
const KbiRealm = T.Object(
  {
    acr: T.String({ minLength: 1, maxLength: 200 }),
    registry: T.Object(
      { ...RegistrySource, database: T.Optional(DatabaseUrl("The realm registry's database.")) },
      { additionalProperties: false },
    ),
    fields: T.Array(KbiField, { minItems: 2, maxItems: 8 }),
  },
  { additionalProperties: false },
);

/** Sign-in: factors, limits, OTP delivery, consent (docs/authz.md). */
export const AuthzLogin = T.Object({
  defaultAcr: T.String({
    minLength: 1,
    description: 'The ACR used when neither the client nor the request chooses a supported one.',
  }),
  maxAttempts: T.Integer({
    minimum: 1,
    maximum: 20,
    description: 'Failed attempts (wrong details, wrong codes) allowed per authorization request.',
  }),
  /** After `failures` failed attempts for one individual ID, that ID is blocked for `seconds`. */
  lockout: T.Object({
    failures: T.Integer({
      minimum: 1,
      maximum: 1000,
      description: 'Failed sign-ins for one individual ID before that ID is locked out.',
    }),
    seconds: T.Integer({
      minimum: 1,
      maximum: 30 * 86400,
      description: 'How long a locked-out ID stays blocked, seconds.',
    }),
  }),
  /** Requests per client IP to the sign-in endpoints per window. */
  rateLimit: T.Object({
    max: T.Integer({
      minimum: 1,
      description: 'Requests per client IP to the sign-in endpoints per window.',
    }),
    windowSeconds: T.Integer({ minimum: 1, maximum: 3600, description: 'The rate-limit window, seconds.' }),
  }),
  consentTtl: T.Integer({
    minimum: 0,
    maximum: 365 * 86400,
    description: 'How long a consent is remembered, seconds (0: ask every time).',
  }),
  implicitConsentClients: T.Array(T.String(), {
    description: 'First-party client ids whose requests are consented implicitly (no consent page).',
  }),
  kbi: T.Object({
    fields: T.Array(KbiField, {
      minItems: 2,
      maxItems: 8,
      description:
        'The fields of the knowledge-based sign-in form (id, registry attribute, type, match, label per language; docs/authz.md).',
    }),
  }),
  realms: T.Optional(
    T.Array(KbiRealm, {
      maxItems: 10,
      description:
        'Further KBI realms, each signed in with its own ACR, registry and fields (docs/authz.md).',
    }),
  ),
  acrByScope: T.Optional(
    T.Record(T.String({ minLength: 1 }), T.String({ minLength: 1 }), {
      description: 'Scope → the ACR a request for it signs in with, unless the request names an allowed ACR.',
    }),
  ),
  otp: T.Object({
    ttl: T.Integer({ minimum: 30, maximum: 900, description: 'Lifetime of a one-time code, seconds.' }),
    resendCooldown: T.Integer({
      minimum: 0,
      maximum: 600,
      description: 'Seconds before another code may be sent.',
    }),
    maxSends: T.Integer({
      minimum: 1,
      maximum: 10,
      description: 'Codes sent per authorization request, at most.',
    }),
    channels: T.Array(T.Union([T.Literal('email'), T.Literal('phone')]), {
      minItems: 1,
      description: 'Where codes go, in order of preference, among what the registry holds for the person.',
    }),
  }),
  notify: T.Object({
    transport: T.Union([T.Literal('outbox'), T.Literal('smtp')], {
      description:
        '`outbox`: development only (console and /dev/outbox on localhost); `smtp`: e-mail through nodemailer.',
    }),
    from: T.String({ minLength: 3, description: 'Sender address of sign-in codes.' }),
    smtp: T.Optional(
      T.Object({
        host: T.String({ minLength: 1, description: 'SMTP server host.' }),
        port: T.Integer({ minimum: 1, maximum: 65535, description: 'SMTP server port.' }),
        secure: T.Boolean({ description: 'Implicit TLS (port 465); otherwise STARTTLS when offered.' }),
        user: T.Optional(T.String({ description: 'SMTP user name.' })),
        pass: T.Optional(T.String({ description: 'SMTP password (a secret: set it from the environment).' })),
      }),
    ),
  }),
});

export type AuthzLoginConfig = Static<typeof AuthzLogin>;
export type AuthzClientConfig = Static<typeof AuthzClient>;
