import { Type as T } from '@sinclair/typebox';

/** A database is named by URL: `sqlite:<path>` (embedded) or `postgres://…`. */
export const DatabaseUrl = (description: string) =>
  T.String({ pattern: '^(sqlite:.+|postgres(ql)?://.+)$', description });

/** Identity field (`fullName`, …) → the source's column, header or attribute name. */
export const RegistryFieldMap = (description: string) =>
  T.Record(T.String({ pattern: '^[a-zA-Z]+$' }), T.String({ minLength: 1 }), { description });

/** Where identities are read (docs/authz.md): the adapter and its settings. */
export const RegistrySource = {
  adapter: T.Optional(
    T.Union([T.Literal('sql'), T.Literal('csv'), T.Literal('http')], {
      description:
        "Which adapter reads the identity registry: `sql` (Attesta's own table, or a mapped table with `sql`), `csv` or `http`; `sql` when unset.",
    }),
  ),
  sql: T.Optional(
    T.Object(
      {
        table: T.String({ minLength: 1, description: 'The existing table of identities.' }),
        columns: RegistryFieldMap('Identity field (`fullName`, …) → its column in that table.'),
      },
      {
        description:
          "An existing table read through a column mapping instead of Attesta's own `identities` table.",
      },
    ),
  ),
  csv: T.Optional(
    T.Object(
      {
        file: T.String({ minLength: 1, description: 'The CSV file of identities (header row first).' }),
        columns: T.Optional(RegistryFieldMap('Identity field → its CSV header, where they differ.')),
      },
      { description: 'A CSV file of identities.' },
    ),
  ),
  http: T.Optional(
    T.Object({
      searchUrl: T.String({
        format: 'uri',
        description: "The registry's search endpoint (Sunbird RC style `POST …/search` with `filters`).",
      }),
      fields: RegistryFieldMap("Identity field → the attribute name in the registry's records."),
      timeoutMs: T.Integer({
        minimum: 50,
        maximum: 60000,
        description: 'How long a registry lookup may take, milliseconds.',
      }),
      authorization: T.Optional(
        T.String({
          description:
            'Value of the Authorization header sent to the registry (a secret: set it from the environment).',
        }),
      ),
    }),
  ),
};
