import { VC_JWT } from '../vc-jwt/id.js';
import { JWT_VC_JSON, JWT_VC_MEDIA_TYPE } from './id.js';
import { joseW3cFormat } from './jose-format.js';

/**
 * `jwt_vc_json`: the VCDM 1.1 JWT encoding (VCDM 1.1 §6.3.1), the only data model OpenID4VCI 1.0
 * Appendix A.1.1 (and draft 13's) gives it; VCDM 2.0 with JOSE is `vc+jwt` (docs/formats.md).
 */
export const jwtVcJson = joseW3cFormat({
  id: JWT_VC_JSON,
  draft13Id: JWT_VC_JSON,
  dataModel: '1.1',
  mediaType: JWT_VC_MEDIA_TYPE,
  other: { id: VC_JWT, dataModel: '2.0', description: 'VCDM 2.0 secured with JOSE' },
});
