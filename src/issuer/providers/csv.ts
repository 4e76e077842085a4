import { readFile, stat } from 'node:fs/promises';
import { answerFor, type DataProvider, type ProviderAnswer, ProviderError } from './types.js';

/** RFC 4180 fields: quoted fields may hold commas, doubled quotes and line breaks. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f !== '')) rows.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  row.push(field);
  if (row.some((f) => f !== '')) rows.push(row);
  return rows;
}

/** How often the file's modification time is looked at; a changed file is read again. */
const RECHECK_MS = 5000;

/** A CSV file with a header row, indexed in memory by one column, reloaded when the file changes. */
export class CsvProvider implements DataProvider {
  private index?: Map<string, Record<string, unknown>[]>;
  private mtime = 0;
  private checkedAt = 0;
  private loading?: Promise<void>;

  constructor(
    private readonly file: string,
    private readonly keyColumn: string,
  ) {}

  private async load(): Promise<void> {
    let modified: number;
    try {
      modified = (await stat(this.file)).mtimeMs;
      if (this.index && modified === this.mtime) return;
      const [header, ...rows] = parseCsv(await readFile(this.file, 'utf8'));
      if (!header?.includes(this.keyColumn)) throw new Error('key column missing');
      const index = new Map<string, Record<string, unknown>[]>();
      for (const row of rows) {
        const record = Object.fromEntries(header.map((name, i) => [name, row[i] ?? '']));
        const key = String(record[this.keyColumn]);
        index.set(key, [...(index.get(key) ?? []), record]);
      }
      this.index = index;
      this.mtime = modified;
    } catch {
      throw new ProviderError('the CSV data provider cannot read its file');
    }
  }

  async lookup(key: string): Promise<ProviderAnswer> {
    if (!this.index || Date.now() - this.checkedAt > RECHECK_MS) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
        this.checkedAt = Date.now();
      });
      await this.loading;
    }
    const records = this.index?.get(key) ?? [];
    if (records.length === 0) return { kind: 'missing' };
    if (records.length > 1)
      throw new ProviderError('the CSV data provider found several records for one key');
    return answerFor(records[0] as Record<string, unknown>);
  }
}
