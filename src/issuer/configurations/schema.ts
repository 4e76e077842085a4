import { Type as T, type TSchema } from '@sinclair/typebox';
import { PROOF_SUITES } from '../../credentials/data-integrity/suite-names.js';
import { FORMAT_IDS } from '../../credentials/formats/index.js';

/**
 * The JSON schema of a credential configuration as the admin API and the CLI accept it. Fastify
 * checks it at the edge; `validateConfiguration` adds the rules a schema cannot say.
 */
const Id = T.String({ pattern: '^[A-Za-z0-9_.-]{1,100}$' });
const Name = T.String({ minLength: 1, maxLength: 200 });
const Display = T.Object({
  name: Name,
  locale: T.String({ pattern: '^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$' }),
});
const Path = T.Array(T.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 8 });
const Url = T.String({ pattern: '^https?://', maxLength: 2000 });
const TokenClaim = T.String({ pattern: '^[A-Za-z0-9_:.-]{1,100}$' });

const TemplateNode: TSchema = T.Recursive(
  (Self) =>
    T.Union([
      T.String({ minLength: 1, maxLength: 2000 }),
      T.Record(T.String({ minLength: 1, maxLength: 100 }), Self, { maxProperties: 200 }),
    ]),
  { $id: 'TemplateNode' },
);

export const ProviderSchema = T.Union([
  T.Object({ type: T.Literal('registry'), key: T.Optional(TokenClaim) }, { additionalProperties: false }),
  T.Object(
    {
      type: T.Literal('sql'),
      key: T.Optional(TokenClaim),
      database: T.String({ pattern: '^(sqlite:.+|postgres(ql)?://.+)$', maxLength: 500 }),
      query: T.String({ minLength: 1, maxLength: 4000 }),
    },
    { additionalProperties: false },
  ),
  T.Object(
    {
      type: T.Literal('csv'),
      key: T.Optional(TokenClaim),
      file: T.String({ minLength: 1, maxLength: 500 }),
      keyColumn: T.String({ minLength: 1, maxLength: 100 }),
    },
    { additionalProperties: false },
  ),
  T.Object(
    {
      type: T.Literal('http'),
      key: T.Optional(TokenClaim),
      url: Url,
      timeoutMs: T.Optional(T.Integer({ minimum: 100, maximum: 30000 })),
      retries: T.Optional(T.Integer({ minimum: 0, maximum: 5 })),
      headers: T.Optional(T.Record(T.String({ maxLength: 100 }), T.String({ maxLength: 1000 }))),
    },
    { additionalProperties: false },
  ),
]);

export const ConfigurationSchema = T.Object(
  {
    id: Id,
    format: T.Union(FORMAT_IDS.map((f) => T.Literal(f))),
    scope: T.String({ pattern: '^[\\x21\\x23-\\x5B\\x5D-\\x7E]{1,100}$' }),
    vct: T.Optional(T.String({ minLength: 1, maxLength: 500 })),
    typeMetadata: T.Optional(T.Record(T.String(), T.Unknown())),
    decoys: T.Optional(T.Integer({ minimum: 0, maximum: 10 })),
    dataModel: T.Optional(T.Union([T.Literal('2.0'), T.Literal('1.1')])),
    proofSuite: T.Optional(T.Union(PROOF_SUITES.map((s) => T.Literal(s)))),
    signingAlg: T.Optional(T.Union([T.Literal('ES256'), T.Literal('EdDSA')])),
    credentialDefinition: T.Optional(
      T.Object(
        {
          '@context': T.Optional(T.Array(Url, { minItems: 1, maxItems: 10 })),
          type: T.Array(T.String({ minLength: 1, maxLength: 200 }), { minItems: 1, maxItems: 10 }),
        },
        { additionalProperties: false },
      ),
    ),
    doctype: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
    display: T.Array(
      T.Object({
        name: Name,
        locale: Display.properties.locale,
        description: T.Optional(T.String({ maxLength: 1000 })),
        background_color: T.Optional(T.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
        text_color: T.Optional(T.String({ pattern: '^#[0-9a-fA-F]{6}$' })),
      }),
      { maxItems: 20 },
    ),
    claims: T.Array(
      T.Object(
        { path: Path, disclosable: T.Optional(T.Boolean()), display: T.Array(Display, { maxItems: 20 }) },
        { additionalProperties: false },
      ),
      { maxItems: 200 },
    ),
    provider: T.Optional(ProviderSchema),
    template: T.Optional(
      T.Object(
        {
          name: T.String({ pattern: '^[A-Za-z0-9_.-]{1,100}$' }),
          output: T.Record(T.String({ minLength: 1, maxLength: 100 }), TemplateNode),
          required: T.Optional(T.Array(Path, { maxItems: 100 })),
        },
        { additionalProperties: false },
      ),
    ),
    validity: T.Optional(T.Integer({ minimum: 60, maximum: 20 * 365 * 86400 })),
    validUntilClaim: T.Optional(T.String({ pattern: '^[A-Za-z0-9_.-]{1,200}$' })),
    status: T.Optional(T.Boolean()),
    suspension: T.Optional(T.Boolean()),
    ledgerIndex: T.Optional(T.Array(T.String({ pattern: '^[A-Za-z0-9_.-]{1,200}$' }), { maxItems: 10 })),
  },
  { additionalProperties: false },
);
