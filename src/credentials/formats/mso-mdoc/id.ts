/** An ISO/IEC 18013-5 mdoc: IssuerSigned, base64url without padding (OpenID4VCI 1.0 Appendix A.2). */
export const MSO_MDOC = 'mso_mdoc';
/** The credential as OpenID4VCI returns it is base64url text; there is no registered media type for it. */
export const MSO_MDOC_MEDIA_TYPE = 'text/plain; charset=utf-8';
/** COSE algorithm identifier of ES256 (RFC 9053), as Appendix A.2 lists signing algorithms for mso_mdoc. */
export const COSE_ES256 = -7;
