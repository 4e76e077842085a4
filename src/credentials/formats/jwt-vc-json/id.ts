/** A W3C credential secured as a JWT (OpenID4VCI 1.0 Appendix A.1.1). */
export const JWT_VC_JSON = 'jwt_vc_json';
/** VC-JOSE-COSE §3.1.1: `typ` (and, with `application/`, the media type) of a VCDM 2.0 credential as a JWT. */
export const VC_JWT_TYP = 'vc+jwt';
export const JWT_VC_MEDIA_TYPE = 'application/vc+jwt';
