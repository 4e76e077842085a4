export { type Database, type DialectName, openDatabase } from './database.js';
export { type Migrations, migrateToLatest } from './migrate.js';
