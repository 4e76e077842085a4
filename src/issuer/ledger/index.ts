export { newCredentialId } from './credential-id.js';
export {
  Ledger,
  type LedgerEntry,
  type LedgerQuery,
  type LedgerRecord,
  type LedgerStatusRef,
} from './ledger.js';
export { type LedgerTables, ledgerMigration } from './tables.js';
