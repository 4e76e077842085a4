export { getProcessHsm, type HsmBinding, setProcessHsm } from './backends.js';
export { findKeyUnavailable, KeyUnavailableError } from './errors.js';
export { certificateReadinessCheck, hsmReadinessCheck, type KeyReadinessCheck } from './health.js';
export { signCompactJws } from './jws.js';
export { type KeyTables, type SigningKeysTable, signingKeysMigration } from './key-schema.js';
export {
  type CreateKeyOptions,
  DEFAULT_RETENTION_FLOOR_MS,
  type KeyRecord,
  KeyStore,
  type KeyStoreOptions,
  type SigningChoice,
} from './key-store.js';
export { isPublished, type KeyState, type Lifecycle } from './lifecycle.js';
export { LocalSigningKey } from './local-key.js';
export { loadMasterKey, MasterKey } from './master-key.js';
export { type KeyBackends, type KeyBackendsLog, openKeyBackends } from './open.js';
export {
  type CertificateDeadline,
  certificateDeadlines,
  type KeyPurpose,
  scheduleKeyMaintenance,
} from './schedule.js';
export {
  DEFAULT_CERTIFICATE_WARNING_DAYS,
  DEFAULT_ROTATION,
  Pkcs11Config,
  RotationConfig,
} from './settings.js';
export type { SigningAlgorithm, SigningKey } from './signing-key.js';
