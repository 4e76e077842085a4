import { JWT_VC_JSON } from '../jwt-vc-json/id.js';
import { joseW3cFormat } from '../jwt-vc-json/jose-format.js';
import { VC_JWT, VC_JWT_MEDIA_TYPE } from './id.js';

/**
 * `vc+jwt`: VCDM 2.0 secured with JOSE (VC-JOSE-COSE §3.1.1: `typ: vc+jwt`, `cty: vc`, the
 * credential is the payload), with the metadata members of the working group's profile
 * (`credential_definition.type`). Draft 13 has no identifier for it: the draft-13 view leaves it
 * out. Keys, binding and status as `jwt_vc_json`.
 */
export const vcJwt = joseW3cFormat({
  id: VC_JWT,
  dataModel: '2.0',
  mediaType: VC_JWT_MEDIA_TYPE,
  other: { id: JWT_VC_JSON, dataModel: '1.1', description: 'the VCDM 1.1 JWT encoding' },
});
