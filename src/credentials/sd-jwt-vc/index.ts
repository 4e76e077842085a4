export type { DisclosedClaim } from './disclosures.js';
export { CredentialVerificationError } from './errors.js';
export { type IssueSdJwtVcOptions, issueSdJwtVc, SD_JWT_VC_TYP } from './issue.js';
export { type VerifiedSdJwtVc, type VerifySdJwtVcOptions, verifySdJwtVc } from './verify.js';
