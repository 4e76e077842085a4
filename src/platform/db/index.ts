export {
  type Database,
  type DatabaseDriver,
  type DatabaseOptions,
  type DialectName,
  openDatabase,
} from './database.js';
export { type Commit, sqliteGroupCommit, transactionPerUnit } from './group-commit.js';
export {
  type MigrationSet,
  type Migrations,
  migrateToLatest,
  pendingMigrations,
  pendingMigrationsOf,
  type SchemaStatus,
  SchemaTooNewError,
  schemaStatus,
} from './migrate.js';
export { pipelinedPostgresOf } from './postgres-group-commit.js';
export { type PreparedStatement, prepareStatement, type StatementResult } from './prepared.js';
export { deleteExpiredInBatches, type SweepLimits, SweepSchedule, type SweepTable } from './sweep.js';
