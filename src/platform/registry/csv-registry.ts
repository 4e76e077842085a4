import { readFile } from 'node:fs/promises';
import { parseCsv } from './csv.js';
import { type FieldMapping, IDENTITY_FIELDS, identityFrom } from './fields.js';
import type { Identity, IdentityRegistry } from './identity.js';

export interface CsvRegistryOptions {
  file: string;
  /** Identity field → CSV header; by default each field's own name (`individualId,fullName,…`). */
  columns?: FieldMapping;
}

/**
 * A registry exported as a CSV file with a header row. The file is read and indexed by id once,
 * when opened; an id that appears on two rows is ambiguous and never matches.
 */
export class CsvIdentityRegistry implements IdentityRegistry {
  private constructor(private readonly byId: ReadonlyMap<string, Identity | null>) {}

  static async open(options: CsvRegistryOptions): Promise<CsvIdentityRegistry> {
    const mapping: FieldMapping =
      options.columns ?? Object.fromEntries(IDENTITY_FIELDS.map((field) => [field, field]));
    let rows: string[][];
    try {
      rows = parseCsv(await readFile(options.file, 'utf8'));
    } catch (error) {
      // The message names the file and the problem, never a row's content.
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      throw new Error(`registry: cannot read CSV file ${options.file}: ${reason}`);
    }
    const [header = [], ...records] = rows;
    const column = new Map(header.map((name, index) => [name.trim(), index]));
    for (const field of ['individualId', 'fullName', 'birthDate'] as const) {
      const name = mapping[field];
      if (!name || !column.has(name)) {
        throw new Error(`registry: CSV file ${options.file} has no column for ${field}`);
      }
    }
    const byId = new Map<string, Identity | null>();
    for (const record of records) {
      const identity = identityFrom((name) => {
        const index = column.get(name);
        return index === undefined ? undefined : record[index];
      }, mapping);
      if (!identity) continue;
      byId.set(identity.individualId, byId.has(identity.individualId) ? null : identity);
    }
    return new CsvIdentityRegistry(byId);
  }

  /** How many distinct ids were indexed (ambiguous ones included). */
  get size(): number {
    return this.byId.size;
  }

  async findByIndividualId(individualId: string): Promise<Identity | undefined> {
    return this.byId.get(individualId) ?? undefined;
  }

  async close(): Promise<void> {}
}
