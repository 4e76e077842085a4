export { signCompactJws } from './jws.js';
export { KeyStore, type KeyTables, type SigningKeysTable, signingKeysMigration } from './key-store.js';
export { LocalSigningKey } from './local-key.js';
export { loadMasterKey, MasterKey } from './master-key.js';
export type { SigningAlgorithm, SigningKey } from './signing-key.js';
