import { createPrivateKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely, Migration } from 'kysely';
import { LocalSigningKey } from './local-key.js';
import type { MasterKey } from './master-key.js';
import type { SigningAlgorithm, SigningKey } from './signing-key.js';

export interface SigningKeysTable {
  kid: string;
  purpose: string;
  alg: string;
  public_jwk: string;
  /** AES-256-GCM sealed PKCS#8, associated data = kid. */
  private_key: string;
  status: 'active' | 'retired';
  created_at: number;
  retired_at: number | null;
}

export interface KeyTables {
  signing_keys: SigningKeysTable;
}

/**
 * Every service that signs includes this migration in its own list. Services may share one
 * database (each with its own key purposes), so the table is created only by the first.
 */
export const signingKeysMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('signing_keys')
      .ifNotExists()
      .addColumn('kid', 'varchar(100)', (c) => c.primaryKey())
      .addColumn('purpose', 'varchar(100)', (c) => c.notNull())
      .addColumn('alg', 'varchar(20)', (c) => c.notNull())
      .addColumn('public_jwk', 'text', (c) => c.notNull())
      .addColumn('private_key', 'text', (c) => c.notNull())
      .addColumn('status', 'varchar(10)', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('retired_at', 'bigint')
      .execute();
    await db.schema
      .createIndex('signing_keys_purpose')
      .ifNotExists()
      .on('signing_keys')
      .columns(['purpose', 'status'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('signing_keys').ifExists().execute();
  },
};

/**
 * Keys of one service, stored encrypted in its database. Loaded keys are kept parsed in memory
 * (they are immutable), so signing does no I/O and no key import.
 */
export class KeyStore {
  private readonly loaded = new Map<string, LocalSigningKey>();

  constructor(
    private readonly db: Kysely<KeyTables>,
    private readonly masterKey: MasterKey,
  ) {}

  /** The newest active key for a purpose, created on first use. */
  async ensureActive(purpose: string, alg: SigningAlgorithm): Promise<SigningKey> {
    const existing = await this.newestActive(purpose);
    if (existing) return existing;
    await this.create(purpose, alg);
    const created = await this.newestActive(purpose);
    if (!created) throw new Error(`key store: no active key for ${purpose}`);
    return created;
  }

  /** Adds a new active key; older keys of the purpose stay published until retired. */
  async create(purpose: string, alg: SigningAlgorithm): Promise<LocalSigningKey> {
    const key = await LocalSigningKey.generate(alg);
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        purpose,
        alg,
        public_jwk: JSON.stringify(key.publicJwk),
        private_key: this.masterKey.encrypt(key.exportPkcs8(), key.kid),
        status: 'active',
        created_at: Date.now(),
        retired_at: null,
      })
      .execute();
    this.loaded.set(key.kid, key);
    return key;
  }

  /** All keys of a purpose, newest first (active and retired), parsed once. */
  async all(purpose: string): Promise<LocalSigningKey[]> {
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('purpose', '=', purpose)
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .execute();
    return Promise.all(rows.map((row) => this.materialise(row)));
  }

  /** Public JWKS of a purpose: every key still published (active and retired). */
  async publicJwks(purpose: string): Promise<{ keys: JWK[] }> {
    return { keys: (await this.all(purpose)).map((k) => k.publicJwk) };
  }

  private async newestActive(purpose: string): Promise<LocalSigningKey | undefined> {
    const row = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('purpose', '=', purpose)
      .where('status', '=', 'active')
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .limit(1)
      .executeTakeFirst();
    return row ? this.materialise(row) : undefined;
  }

  private async materialise(row: SigningKeysTable): Promise<LocalSigningKey> {
    const cached = this.loaded.get(row.kid);
    if (cached) return cached;
    const der = this.masterKey.decrypt(row.private_key, row.kid);
    const key = await LocalSigningKey.fromPrivateKey(
      createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      row.alg as SigningAlgorithm,
    );
    this.loaded.set(row.kid, key);
    return key;
  }
}
