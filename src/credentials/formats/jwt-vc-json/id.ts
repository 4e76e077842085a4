/**
 * A W3C credential signed as a JWT, not using JSON-LD (OpenID4VCI 1.0 Appendix A.1.1, draft 13
 * Appendix A.1.1): the VCDM 1.1 JWT encoding, as both texts reference VCDM 1.1 (`[VC_DATA]`).
 */
export const JWT_VC_JSON = 'jwt_vc_json';
/** RFC 7519 §10.3.1: a VCDM 1.1 JWT has no media type of its own. */
export const JWT_VC_MEDIA_TYPE = 'application/jwt';
