import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { AdminTables } from './tables.js';

const PREFIX = 'atk_';
const FORMAT = /^atk_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

function hash(key: string): string {
  return createHash('sha256').update(key).digest('base64url');
}

/**
 * Admin API keys, stored as SHA-256 hashes only: the plain key is shown once, at creation. A key is
 * 256 random bits, so a slow password hash would add nothing but latency.
 */
export class ApiKeyStore {
  constructor(private readonly db: Kysely<AdminTables>) {}

  static looksLikeKey(value: string): boolean {
    return value.startsWith(PREFIX);
  }

  async create(name: string): Promise<{ id: string; key: string }> {
    const id = randomBytes(12).toString('base64url').replace(/[-_]/g, 'x').slice(0, 16);
    const key = `${PREFIX}${id}_${randomBytes(32).toString('base64url')}`;
    await this.db
      .insertInto('issuer_admin_api_keys')
      .values({ id, name, key_hash: hash(key), created_at: Date.now(), revoked_at: null })
      .execute();
    return { id, key };
  }

  /** The key's id when it is known and not revoked. */
  async verify(key: string): Promise<string | undefined> {
    const match = FORMAT.exec(key);
    if (!match) return undefined;
    const row = await this.db
      .selectFrom('issuer_admin_api_keys')
      .select(['key_hash', 'revoked_at'])
      .where('id', '=', match[1] as string)
      .executeTakeFirst();
    if (!row || row.revoked_at !== null) return undefined;
    const expected = Buffer.from(row.key_hash);
    const actual = Buffer.from(hash(key));
    return expected.length === actual.length && timingSafeEqual(expected, actual) ? match[1] : undefined;
  }

  async revoke(id: string): Promise<boolean> {
    const result = await this.db
      .updateTable('issuer_admin_api_keys')
      .set({ revoked_at: Date.now() })
      .where('id', '=', id)
      .where('revoked_at', 'is', null)
      .executeTakeFirst();
    return Number(result.numUpdatedRows) > 0;
  }

  async list(): Promise<{ id: string; name: string; created_at: number; revoked_at: number | null }[]> {
    return this.db
      .selectFrom('issuer_admin_api_keys')
      .select(['id', 'name', 'created_at', 'revoked_at'])
      .orderBy('created_at')
      .execute();
  }
}
