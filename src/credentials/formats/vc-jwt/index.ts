export { vcJwt } from './format.js';
export { VC_JWT, VC_JWT_MEDIA_TYPE, VC_JWT_TYP } from './id.js';
