/**
 * The issuer's protocol vocabulary: paths, limits, algorithm lists and error codes. It sits below
 * every endpoint and the metadata builder, which all read from here and never from each other, so the
 * module graph has no cycle (as node-oidc-provider keeps lib/consts/). Values only; no imports.
 */

// Paths, relative to the public URL (OpenID4VCI 1.0 §12.2.4 lists the endpoints in the metadata).
export const CREDENTIAL_ISSUER_METADATA_PATH = '/.well-known/openid-credential-issuer';
export const NONCE_PATH = '/nonce';
export const CREDENTIAL_PATH = '/credential';
export const DEFERRED_PATH = '/deferred_credential';
export const NOTIFICATION_PATH = '/notification';
/** The pre-authorized code grant's token endpoint and its JWKS (the issuer as authorization server, §6). */
export const TOKEN_PATH = '/token';
export const TOKEN_JWKS_PATH = '/oauth/jwks';
/** The draft-13 view: its own credential issuer identifier `<issuer>/draft13`, the same endpoints. */
export const DRAFT13_PATH = '/draft13';

// Limits.
/** Most key proofs (so credentials) one request may carry (§12.2.4 `batch_credential_issuance.batch_size`). */
export const BATCH_SIZE = 10;
/** Longest compact JWS accepted as a key proof or key attestation. */
export const MAX_PROOF_JWT_LENGTH = 16384;

// Algorithms.
/** Key proof algorithms of `openid4vci-proof+jwt` and attestations (never `none`, never symmetric). */
export const PROOF_SIGNING_ALGS = ['ES256', 'ES256K', 'EdDSA'] as const;
/** Data Integrity suites accepted for `di_vp` key proofs (Appendix F.2). */
export const DI_VP_SUITES = ['eddsa-rdfc-2022', 'ecdsa-rdfc-2019', 'eddsa-jcs-2022'] as const;
/** DPoP proof algorithms (RFC 9449 §4.2: asymmetric only), advertised and accepted. */
export const DPOP_ALGS = ['ES256', 'EdDSA'] as const;
/** HAIP 1.0 §4/§9 (configuration `haip`): ES256 is the one algorithm of key proofs and DPoP proofs. */
export const HAIP_ALGS = ['ES256'] as const;

// Media types.
/** `typ` of signed metadata (OpenID4VCI 1.0 §12.2.3, and its IANA media type registration). */
export const SIGNED_METADATA_TYP = 'openidvci-issuer-metadata+jwt';

// Error codes the endpoints answer with (`{error, error_description}`), by the section defining them.
/** Credential Error Response (OpenID4VCI 1.0 §8.3.1.2). */
export type CredentialErrorCode =
  | 'invalid_credential_request'
  | 'unknown_credential_configuration'
  | 'unknown_credential_identifier'
  | 'invalid_proof'
  | 'invalid_nonce'
  | 'invalid_encryption_parameters'
  | 'credential_request_denied';
/** Draft 13 §7.3.1.2: a request that names a format or type the issuer does not offer. */
export type Draft13ErrorCode = 'unsupported_credential_format' | 'unsupported_credential_type';
/** Deferred Credential Error Response (§9.3). */
export type DeferredErrorCode = 'invalid_transaction_id';
/** Notification Error Response (§11.3). */
export type NotificationErrorCode = 'invalid_notification_id' | 'invalid_notification_request';
export type EndpointErrorCode =
  | CredentialErrorCode
  | Draft13ErrorCode
  | DeferredErrorCode
  | NotificationErrorCode;

/** Proof errors after which a draft-13 wallet gets a fresh `c_nonce` to retry with (draft 13 §7.3.1.2). */
export const NONCE_RETRY_ERRORS: ReadonlySet<string> = new Set<CredentialErrorCode>([
  'invalid_proof',
  'invalid_nonce',
]);
