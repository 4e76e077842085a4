/**
 * SD-JWT VC (OpenID4VCI 1.0 Appendix A.3): the `format` identifier, which is also the JWT `typ`
 * (SD-JWT VC §3.2.1) and, with `application/`, the media type.
 */
export const SD_JWT_VC = 'dc+sd-jwt';
/**
 * The name before SD-JWT VC draft 06 (and in OpenID4VCI draft 13), still spoken by deployed
 * wallets: the same credential with this `typ`.
 */
export const SD_JWT_VC_LEGACY = 'vc+sd-jwt';
export const SD_JWT_VC_MEDIA_TYPE = 'application/dc+sd-jwt';
