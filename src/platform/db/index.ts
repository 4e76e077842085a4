export { type Database, type DatabaseOptions, type DialectName, openDatabase } from './database.js';
export { type Migrations, migrateToLatest } from './migrate.js';
