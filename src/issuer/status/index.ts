export { type AllocatedEntry, STATUS_LIST_SIZE, StatusAllocator, StatusListFull } from './allocator.js';
export { STATUS_LIST_MAX_AGE, StatusListPublisher, type StatusListSigner } from './publisher.js';
export { registerStatusListRoutes } from './routes.js';
export {
  type CredentialStatus,
  StatusChangeError,
  StatusChanger,
  statusListUrl,
  statusPlan,
  statusReference,
} from './service.js';
export { type StatusListKind, type StatusPurpose, type StatusTables, statusMigration } from './tables.js';
