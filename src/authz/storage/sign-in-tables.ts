import type { Kysely, Migration } from 'kysely';

/** Failed sign-ins per individual ID (keyed hash), shared by every instance through the database. */
export interface IdBlocksTable {
  id_hash: string;
  failures: number;
  /** Epoch ms: failures older than this window no longer count. */
  window_ends_at: number;
  /** Epoch ms until which the ID is blocked; null when it is not. */
  blocked_until: number | null;
}

/** The one-time code of a sign-in request (at most one live code per request). */
export interface OtpChallengesTable {
  interaction_uid: string;
  id_hash: string;
  /** null when the ID is unknown or unreachable: the code can then never match. */
  account_id: string | null;
  channel: string;
  /** Shown to the person ("sent to a•••r@e•••e.org"). */
  masked_destination: string;
  code_hash: string;
  code_expires_at: number;
  sends: number;
  last_sent_at: number;
  /** 1 once the code was used. */
  consumed: number;
  expires_at: number;
}

/** A person's consent to a client, remembered until it expires. */
export interface ConsentsTable {
  account_hash: string;
  client_id: string;
  /** JSON array of what was granted (`scope:openid`, `claim:email`, `resource:<uri> <scope>`). */
  granted: string;
  expires_at: number;
}

/** Development outbox (transport `outbox`): messages that would have been sent. */
export interface DevOutboxTable {
  id: string;
  created_at: number;
  channel: string;
  recipient: string;
  subject: string;
  body: string;
  expires_at: number;
}

export interface SignInTables {
  authz_id_blocks: IdBlocksTable;
  authz_otp_challenges: OtpChallengesTable;
  authz_consents: ConsentsTable;
  authz_dev_outbox: DevOutboxTable;
}

/** Numbered 02xx, apart from the provider (00xx) and client (01xx) tables. */
export const signInMigrations: Record<string, Migration> = {
  '0200_authz_sign_in': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('authz_id_blocks')
        .addColumn('id_hash', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('failures', 'integer', (c) => c.notNull())
        .addColumn('window_ends_at', 'bigint', (c) => c.notNull())
        .addColumn('blocked_until', 'bigint')
        .execute();
      await db.schema
        .createTable('authz_otp_challenges')
        .addColumn('interaction_uid', 'varchar(255)', (c) => c.primaryKey())
        .addColumn('id_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('account_id', 'varchar(255)')
        .addColumn('channel', 'varchar(10)', (c) => c.notNull())
        .addColumn('masked_destination', 'varchar(255)', (c) => c.notNull())
        .addColumn('code_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('code_expires_at', 'bigint', (c) => c.notNull())
        .addColumn('sends', 'integer', (c) => c.notNull())
        .addColumn('last_sent_at', 'bigint', (c) => c.notNull())
        .addColumn('consumed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('authz_consents')
        .addColumn('account_hash', 'varchar(64)', (c) => c.notNull())
        .addColumn('client_id', 'varchar(255)', (c) => c.notNull())
        .addColumn('granted', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('authz_consents_pk', ['account_hash', 'client_id'])
        .execute();
      await db.schema
        .createTable('authz_dev_outbox')
        .addColumn('id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('channel', 'varchar(10)', (c) => c.notNull())
        .addColumn('recipient', 'varchar(255)', (c) => c.notNull())
        .addColumn('subject', 'varchar(255)', (c) => c.notNull())
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      for (const table of ['authz_id_blocks', 'authz_otp_challenges', 'authz_consents', 'authz_dev_outbox']) {
        await db.schema.dropTable(table).execute();
      }
    },
  },
};

/** Deletes expired sign-in rows (called with the provider's periodic purge). */
export async function purgeSignIn(db: Kysely<SignInTables>, now: number): Promise<void> {
  await db.deleteFrom('authz_otp_challenges').where('expires_at', '<', now).execute();
  await db.deleteFrom('authz_consents').where('expires_at', '<', now).execute();
  await db.deleteFrom('authz_dev_outbox').where('expires_at', '<', now).execute();
  await db
    .deleteFrom('authz_id_blocks')
    .where('window_ends_at', '<', now)
    .where((eb) => eb.or([eb('blocked_until', 'is', null), eb('blocked_until', '<', now)]))
    .execute();
}
