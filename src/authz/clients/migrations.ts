import type { Kysely, Migration } from 'kysely';

/** Clients of authz (the record as JSON) and the audit trail of admin actions. */
export const clientsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('authz_clients')
      .addColumn('client_id', 'varchar(100)', (c) => c.primaryKey())
      .addColumn('record', 'text', (c) => c.notNull())
      // 0/1: a disabled client is not found by oidc-provider (its tokens are refused at introspection too).
      .addColumn('disabled', 'integer', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('authz_clients').execute();
  },
};

export const adminAuditMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('authz_admin_audit')
      .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
      .addColumn('at', 'bigint', (c) => c.notNull())
      /** Who: `client:<client_id>` (admin API) or `cli:<os user>`. */
      .addColumn('actor', 'varchar(200)', (c) => c.notNull())
      .addColumn('action', 'varchar(50)', (c) => c.notNull())
      .addColumn('target', 'varchar(200)', (c) => c.notNull())
      /** JSON: what changed (client records carry no secrets; keys only their kid). */
      .addColumn('detail', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('authz_admin_audit_at').on('authz_admin_audit').column('at').execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('authz_admin_audit').execute();
  },
};
