import type { KeyPurpose } from '../platform/keys/index.js';
import {
  MDOC_DS_KEY_PURPOSE,
  MDOC_IACA_KEY_PURPOSE,
  SD_JWT_KEY_PURPOSE,
  W3C_KEY_PURPOSE,
} from './formats/keys.js';
import { CLIENT_KEY_PURPOSE } from './revocation/client.js';
import { TOKEN_KEY_PURPOSE } from './token/key-purpose.js';

/** Every signing key purpose of the issuer (docs/keys.md has the inventory). */
export const ISSUER_KEY_PURPOSES: readonly KeyPurpose[] = [
  { purpose: SD_JWT_KEY_PURPOSE, alg: 'ES256' },
  { purpose: W3C_KEY_PURPOSE.ES256, alg: 'ES256' },
  { purpose: W3C_KEY_PURPOSE.EdDSA, alg: 'EdDSA' },
  { purpose: MDOC_DS_KEY_PURPOSE, alg: 'ES256' },
  { purpose: MDOC_IACA_KEY_PURPOSE, alg: 'ES256' },
  { purpose: TOKEN_KEY_PURPOSE, alg: 'ES256' },
  { purpose: CLIENT_KEY_PURPOSE, alg: 'ES256' },
];
