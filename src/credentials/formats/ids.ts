import type { JWT_VC_JSON } from './jwt-vc-json/id.js';
import type { LDP_VC } from './ldp-vc/id.js';
import type { MSO_MDOC } from './mso-mdoc/id.js';
import type { SD_JWT_VC, SD_JWT_VC_LEGACY } from './sd-jwt-vc/id.js';
import type { VC_JWT } from './vc-jwt/id.js';

/**
 * Every OpenID4VCI `format` identifier we know, aliases included: each format folder's `id.ts`
 * (kept apart from the index of formats so that types everywhere can name it without a cycle).
 */
export type CredentialFormatId =
  | typeof SD_JWT_VC
  | typeof SD_JWT_VC_LEGACY
  | typeof JWT_VC_JSON
  | typeof VC_JWT
  | typeof LDP_VC
  | typeof MSO_MDOC;
