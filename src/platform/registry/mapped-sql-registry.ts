import { type Kysely, sql } from 'kysely';
import { type Database, type DatabaseOptions, openDatabase } from '../db/index.js';
import { type FieldMapping, identityFrom } from './fields.js';
import type { Identity, IdentityRegistry } from './identity.js';

/** Table and column names are identifiers from configuration, never from requests. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]{0,62}$/;

export interface MappedSqlOptions {
  /** The registry's own table (read only; Attesta does not create or migrate it). */
  table: string;
  /** Identity field → column; `individualId`, `fullName` and `birthDate` are required. */
  columns: FieldMapping;
}

/**
 * An existing registry table (SQLite or PostgreSQL) read through a column mapping from
 * configuration, e.g. an insurer's `members(policy_no, holder_name, dob, …)`. The id column should be
 * unique; when it is not, two rows for one id count as no match (the person cannot be told apart).
 */
export class MappedSqlIdentityRegistry implements IdentityRegistry {
  private constructor(
    private readonly database: Database<Record<string, Record<string, unknown>>>,
    private readonly options: MappedSqlOptions,
    private readonly selected: string[],
  ) {}

  static open(
    url: string,
    options: MappedSqlOptions,
    connections?: DatabaseOptions,
  ): MappedSqlIdentityRegistry {
    for (const name of [options.table, ...Object.values(options.columns)]) {
      if (!IDENTIFIER.test(name))
        throw new Error(`registry: ${JSON.stringify(name)} is not an SQL identifier`);
    }
    for (const field of ['individualId', 'fullName', 'birthDate'] as const) {
      if (!options.columns[field]) throw new Error(`registry: sql.columns.${field} is required`);
    }
    const selected = [...new Set(Object.values(options.columns))];
    return new MappedSqlIdentityRegistry(
      openDatabase(url, { ...connections, name: 'registry' }),
      options,
      selected,
    );
  }

  async findByIndividualId(individualId: string): Promise<Identity | undefined> {
    const db = this.database.db as Kysely<Record<string, Record<string, unknown>>>;
    const idColumn = this.options.columns.individualId ?? '';
    const rows = await db
      .selectFrom(this.options.table)
      .select(this.selected.map((c) => sql.ref(c).as(c)))
      .where(sql.ref(idColumn), '=', individualId)
      .limit(2)
      .execute();
    if (rows.length !== 1) return undefined;
    const row = rows[0] as Record<string, unknown>;
    return identityFrom((column) => {
      const value = row[column];
      if (value instanceof Date) return value.toISOString().slice(0, 10);
      return typeof value === 'string' || typeof value === 'number' ? String(value) : undefined;
    }, this.options.columns);
  }

  close(): Promise<void> {
    return this.database.close();
  }
}
