/**
 * VCDM 2.0 secured with JOSE (VC-JOSE-COSE §3.1.1). The OpenID4VCI working group's profile for it
 * (openid/OpenID4VCI branch `vcdm-2-jose`, toward 1.1) takes the media type's subtype as the
 * Credential Format Identifier, as 1.0 Appendix A recommends for new profiles.
 */
export const VC_JWT = 'vc+jwt';
/** VC-JOSE-COSE §3.1.1: the JWS `typ`. */
export const VC_JWT_TYP = 'vc+jwt';
/** VC-JOSE-COSE §7 (IANA): the media type of the credential as a file. */
export const VC_JWT_MEDIA_TYPE = 'application/vc+jwt';
