/** A W3C credential secured with a Data Integrity proof (OpenID4VCI 1.0 Appendix A.1.2). */
export const LDP_VC = 'ldp_vc';
/** VCDM 2.0 §6.3: a credential as JSON-LD, secured by a proof inside it. */
export const LDP_VC_MEDIA_TYPE = 'application/vc+ld+json';
