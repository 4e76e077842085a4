export { CsvIdentityRegistry } from './csv-registry.js';
export { type FieldMapping, IDENTITY_FIELDS, type IdentityField } from './fields.js';
export { HttpIdentityRegistry, RegistryUnavailableError } from './http-registry.js';
export type { Identity, IdentityRegistry } from './identity.js';
export { MappedSqlIdentityRegistry } from './mapped-sql-registry.js';
export { openRegistry } from './open.js';
export { DEMO_IDENTITIES_FILE, demoIdentities, SqlIdentityRegistry } from './sql-registry.js';
