export type { Identity, IdentityRegistry } from './identity.js';
export { DEMO_IDENTITIES_FILE, demoIdentities, SqlIdentityRegistry } from './sql-registry.js';
