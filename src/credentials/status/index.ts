export {
  type BitstringSetEntry,
  bitstringStatusAt,
  bitstringStatusEntries,
  credentialStatusEntries,
  encodeBitstringStatusList,
  readBitstringStatusEntry,
} from './bitstring-status-list.js';
export type { BitstringStatusReference, StatusReference, TokenStatusReference } from './reference.js';
export {
  encodeTokenStatusList,
  readTokenStatusClaim,
  type SetEntry,
  STATUS_LIST_JWT_MEDIA_TYPE,
  STATUS_LIST_JWT_TYP,
  TOKEN_STATUS,
  tokenStatusAt,
  tokenStatusClaim,
} from './token-status-list.js';
