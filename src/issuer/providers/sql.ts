import { sql } from 'kysely';
import type { Database } from '../../platform/db/index.js';
import { answerFor, type DataProvider, type ProviderAnswer, ProviderError } from './types.js';

const PLACEHOLDER = ':key';

/**
 * The rules a saved query must meet: one SELECT statement, with the lookup key only as the bound
 * parameter `:key` (never spliced into the text).
 */
export function checkQuery(query: string): string | undefined {
  const text = query.trim();
  if (!/^select\s/i.test(text)) return 'the query must be a single SELECT';
  if (text.replace(/;\s*$/, '').includes(';')) return 'the query must be a single statement';
  if (!text.includes(PLACEHOLDER)) return 'the query must use the :key parameter';
  return undefined;
}

/** A parameterised query on an SQL database (SQLite or PostgreSQL); one row, or none. */
export class SqlProvider implements DataProvider {
  private readonly fragments: string[];

  constructor(
    private readonly database: Database<unknown>,
    query: string,
  ) {
    const problem = checkQuery(query);
    if (problem) throw new Error(problem);
    this.fragments = query.trim().replace(/;\s*$/, '').split(PLACEHOLDER);
  }

  async lookup(key: string): Promise<ProviderAnswer> {
    const parts = this.fragments.flatMap((text, i) =>
      i === 0 ? [sql.raw(text)] : [sql`${key}`, sql.raw(text)],
    );
    let rows: Record<string, unknown>[];
    try {
      rows = (await sql<Record<string, unknown>>`${sql.join(parts, sql.raw(''))}`.execute(this.database.db))
        .rows;
    } catch {
      throw new ProviderError('the SQL data provider failed');
    }
    if (rows.length === 0) return { kind: 'missing' };
    if (rows.length > 1) throw new ProviderError('the SQL data provider found several records for one key');
    return answerFor(rows[0] as Record<string, unknown>);
  }
}
