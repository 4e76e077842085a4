import type { Kysely, Migration } from 'kysely';

/**
 * Grants authz revoked (a replayed authorization code or refresh token, logout, revocation of a
 * refresh token, an administrator), kept while an access token minted from them could still be
 * alive. JWT access tokens are checked by resource servers without calling authz, so this list is
 * what the issuer polls (protocol/grant-revocation.ts) to refuse them (RFC 6749 §4.1.2, RFC 9700
 * §4.14.2). Rows are shared by every instance through the database.
 */
export interface RevokedGrantsTable {
  grant_id: string;
  /** Epoch ms when it was (last) revoked: the feed's order and cursor. */
  revoked_at: number;
  /** Epoch ms after which no access token of the grant can still be valid. */
  expires_at: number;
}

export interface RevokedGrantTables {
  authz_revoked_grants: RevokedGrantsTable;
}

export const revokedGrantsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('authz_revoked_grants')
      .addColumn('grant_id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('revoked_at', 'bigint', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('authz_revoked_grants_revoked_at')
      .on('authz_revoked_grants')
      .column('revoked_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('authz_revoked_grants').execute();
  },
};

/**
 * A cursor handed out when the reader has caught up lies this far in the past, so a revocation
 * committed late (a slow transaction on another instance, or its clock behind ours) is still sent
 * on the next poll; readers keep a set, so seeing a grant twice costs nothing.
 */
export const CURSOR_OVERLAP_MS = 60_000;

/** Most grants in one answer of the feed; a full page hands back a cursor to continue from. */
export const FEED_PAGE_LIMIT = 10_000;

export interface RevokedGrantsPage {
  grants: { id: string; expiresAt: number }[];
  /** Where the next read starts (epoch ms). */
  cursor: number;
  /** The page was full: more may follow at once from `cursor`. */
  more: boolean;
}

export class RevokedGrants {
  constructor(
    private readonly db: Kysely<RevokedGrantTables>,
    /** How long a revocation is kept: the longest access-token lifetime (+ clock tolerance), seconds. */
    private readonly keepSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async record(grantId: string): Promise<void> {
    const revokedAt = this.now();
    const row = { revoked_at: revokedAt, expires_at: revokedAt + this.keepSeconds * 1000 };
    await this.db
      .insertInto('authz_revoked_grants')
      .values({ grant_id: grantId, ...row })
      .onConflict((oc) => oc.column('grant_id').doUpdateSet(row))
      .execute();
  }

  /** Revocations from `cursor` on that still matter, oldest first. */
  async since(cursor: number, limit = FEED_PAGE_LIMIT): Promise<RevokedGrantsPage> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('authz_revoked_grants')
      .select(['grant_id', 'revoked_at', 'expires_at'])
      .where('revoked_at', '>=', cursor)
      .where('expires_at', '>', now)
      .orderBy('revoked_at')
      .orderBy('grant_id')
      .limit(limit)
      .execute();
    const grants = rows.map((r) => ({ id: r.grant_id, expiresAt: Number(r.expires_at) }));
    const last = rows.at(-1);
    // A full page continues from its last row (rows of that millisecond come again, harmlessly).
    const more = rows.length === limit && last !== undefined;
    const next = more ? Number(last.revoked_at) : now - CURSOR_OVERLAP_MS;
    return { grants, cursor: Math.max(next, cursor), more };
  }

  async purgeExpired(): Promise<number> {
    const result = await this.db
      .deleteFrom('authz_revoked_grants')
      .where('expires_at', '<', this.now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
