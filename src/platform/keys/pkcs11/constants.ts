/**
 * PKCS#11 values pkcs11js 2.1.7 does not name (PKCS#11 v3.0 §2.3.5, §6.3): Ed25519 keys are
 * CKK_EC_EDWARDS, generated with CKM_EC_EDWARDS_KEY_PAIR_GEN and used with CKM_EDDSA.
 */
export const CKK_EC_EDWARDS = 0x40;
export const CKM_EC_EDWARDS_KEY_PAIR_GEN = 0x1055;
export const CKM_EDDSA = 0x1057;

/** DER of the curve OIDs for CKA_EC_PARAMS: prime256v1 (RFC 5480) and id-Ed25519 (RFC 8410). */
export const P256_PARAMS = Buffer.from('06082a8648ce3d030107', 'hex');
export const ED25519_PARAMS = Buffer.from('06032b6570', 'hex');
