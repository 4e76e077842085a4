export {
  type AllocatedEntry,
  reservationSize,
  STATUS_LIST_SIZE,
  StatusAllocator,
  StatusPermutationMismatch,
} from './allocator.js';
export { keyedPermutation, STATUS_PERMUTATION_KEY, StatusPermutations } from './permutation.js';
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
export {
  type StatusListKind,
  type StatusPurpose,
  type StatusTables,
  statusMigration,
  statusSequenceMigration,
} from './tables.js';
