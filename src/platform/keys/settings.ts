import { type Static, Type as T } from '@sinclair/typebox';

/** `keys.pkcs11`: an HSM reached over PKCS#11 (docs/keys.md). */
export const Pkcs11Config = T.Object(
  {
    module: T.String({
      minLength: 1,
      description:
        'Path of the PKCS#11 module, e.g. /usr/lib/softhsm/libsofthsm2.so or the HSM vendor library.',
    }),
    tokenLabel: T.Optional(
      T.String({ minLength: 1, maxLength: 32, description: 'The token, by label (or give `slot`).' }),
    ),
    slot: T.Optional(T.Integer({ minimum: 0, description: 'The token, by slot id (or give `tokenLabel`).' })),
    pin: T.Union(
      [
        T.Object(
          {
            env: T.String({
              pattern: '^[A-Za-z_][A-Za-z0-9_]*$',
              description: 'Environment variable holding the user PIN.',
            }),
          },
          { additionalProperties: false },
        ),
        T.Object(
          { file: T.String({ minLength: 1, description: 'File holding the user PIN (a mounted secret).' }) },
          { additionalProperties: false },
        ),
      ],
      {
        description: 'Where the user PIN is read: `{"env": NAME}` or `{"file": path}`; never the PIN itself.',
      },
    ),
    purposes: T.Array(T.String({ minLength: 1 }), {
      minItems: 1,
      uniqueItems: true,
      description:
        'Key purposes whose new keys are generated in the token (e.g. issuer-sd-jwt, issuer-w3c-es256, issuer-w3c-eddsa, issuer-mdoc-ds, issuer-mdoc-iaca, issuer-token, issuer-client, authz); `attesta keys list` shows them all.',
    }),
    sessions: T.Optional(
      T.Integer({
        minimum: 1,
        maximum: 64,
        description: 'Sessions kept open for concurrent signatures (default 4).',
      }),
    ),
    retryAfterSeconds: T.Optional(
      T.Integer({
        minimum: 1,
        maximum: 600,
        description: 'Retry-After of a refused signature and least time between reconnections (default 5).',
      }),
    ),
  },
  { additionalProperties: false },
);

/** `keys.rotation`: rotation with overlap. */
export const RotationConfig = T.Object(
  {
    leadSeconds: T.Integer({
      minimum: 0,
      maximum: 30 * 86400,
      description:
        'Seconds a rotated-in key is published (JWKS, did:web, jwt-vc-issuer) before it signs: at least the longest time verifiers cache those documents.',
    }),
    maxAgeDays: T.Integer({
      minimum: 0,
      maximum: 3650,
      description: 'Rotate a purpose whose signing key is this many days old, automatically (0: never).',
    }),
    purposes: T.Optional(
      T.Record(
        T.String({ minLength: 1 }),
        T.Object({ maxAgeDays: T.Integer({ minimum: 0, maximum: 3650 }) }),
        {
          description: 'Per-purpose `maxAgeDays` overrides.',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export type Pkcs11Config = Static<typeof Pkcs11Config>;
export type RotationConfig = Static<typeof RotationConfig>;

export const DEFAULT_ROTATION: RotationConfig = { leadSeconds: 3600, maxAgeDays: 0 };
/** Certificates this close to their end are warned about (logs, readiness, `attesta keys list`). */
export const DEFAULT_CERTIFICATE_WARNING_DAYS = 30;
