import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Kysely } from 'kysely';
import {
  type Database,
  type DatabaseOptions,
  migrateToLatest,
  openDatabase,
  prepareStatement,
} from '../db/index.js';
import type { Identity, IdentityRegistry } from './identity.js';

interface IdentitiesTable {
  individual_id: string;
  full_name: string;
  given_name: string | null;
  family_name: string | null;
  birth_date: string;
  gender: string | null;
  email: string | null;
  phone: string | null;
  street_address: string | null;
  locality: string | null;
  postal_code: string | null;
  country: string | null;
  nationality: string | null;
  password_hash: string | null;
}

interface RegistryTables {
  identities: IdentitiesTable;
}

export const DEMO_IDENTITIES_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../config/demo/identities.json',
);

export const registryMigrations = {
  '0001_identities': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('identities')
        .addColumn('individual_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('full_name', 'varchar(200)', (c) => c.notNull())
        .addColumn('given_name', 'varchar(100)')
        .addColumn('family_name', 'varchar(100)')
        .addColumn('birth_date', 'varchar(10)', (c) => c.notNull())
        .addColumn('gender', 'varchar(20)')
        .addColumn('email', 'varchar(200)')
        .addColumn('phone', 'varchar(40)')
        .addColumn('street_address', 'varchar(200)')
        .addColumn('locality', 'varchar(100)')
        .addColumn('postal_code', 'varchar(20)')
        .addColumn('country', 'varchar(2)')
        .addColumn('nationality', 'varchar(2)')
        .execute();
    },
  },
  '0002_password_hash': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('identities').addColumn('password_hash', 'varchar(255)').execute();
    },
  },
};

/** Every sign-in and every credential looks a person up by id: compiled once (src/platform/db/prepared.ts). */
const FIND_BY_ID = prepareStatement<IdentitiesTable>(
  'select * from "identities" where "individual_id" = $1',
  {
    readOutsideUnits: true,
  },
);

function toIdentity(row: IdentitiesTable): Identity {
  const optional = <T>(value: T | null) => value ?? undefined;
  const address = {
    streetAddress: optional(row.street_address),
    locality: optional(row.locality),
    postalCode: optional(row.postal_code),
    country: optional(row.country),
  };
  return {
    individualId: row.individual_id,
    fullName: row.full_name,
    givenName: optional(row.given_name),
    familyName: optional(row.family_name),
    birthDate: row.birth_date,
    gender: optional(row.gender),
    email: optional(row.email),
    phone: optional(row.phone),
    address: Object.values(address).some((v) => v !== undefined) ? address : undefined,
    nationality: optional(row.nationality),
    passwordHash: optional(row.password_hash),
  };
}

function toRow(identity: Identity): IdentitiesTable {
  return {
    individual_id: identity.individualId,
    full_name: identity.fullName,
    given_name: identity.givenName ?? null,
    family_name: identity.familyName ?? null,
    birth_date: identity.birthDate,
    gender: identity.gender ?? null,
    email: identity.email ?? null,
    phone: identity.phone ?? null,
    street_address: identity.address?.streetAddress ?? null,
    locality: identity.address?.locality ?? null,
    postal_code: identity.address?.postalCode ?? null,
    country: identity.address?.country ?? null,
    nationality: identity.nationality ?? null,
    password_hash: identity.passwordHash ?? null,
  };
}

/** The registry as an SQL table (SQLite or PostgreSQL). */
export class SqlIdentityRegistry implements IdentityRegistry {
  private constructor(private readonly database: Database<RegistryTables>) {}

  static async open(url: string, connections?: DatabaseOptions): Promise<SqlIdentityRegistry> {
    const database = openDatabase<RegistryTables>(url, { ...connections, name: 'registry' });
    await migrateToLatest(database.db as Kysely<unknown>, 'registry', registryMigrations);
    return new SqlIdentityRegistry(database);
  }

  async findByIndividualId(individualId: string): Promise<Identity | undefined> {
    const { rows } = await FIND_BY_ID.run(this.database.db as Kysely<unknown>, [individualId]);
    return rows[0] ? toIdentity(rows[0]) : undefined;
  }

  /** Inserts identities that are not there yet (by id); returns how many were added. */
  async seed(identities: Identity[]): Promise<number> {
    let added = 0;
    for (const identity of identities) {
      const result = await this.database.db
        .insertInto('identities')
        .values(toRow(identity))
        .onConflict((oc) => oc.column('individual_id').doNothing())
        .executeTakeFirst();
      added += Number(result.numInsertedOrUpdatedRows ?? 0);
    }
    return added;
  }

  close(): Promise<void> {
    return this.database.close();
  }
}

export function demoIdentities(): Identity[] {
  return (JSON.parse(readFileSync(DEMO_IDENTITIES_FILE, 'utf8')) as { identities: Identity[] }).identities;
}
