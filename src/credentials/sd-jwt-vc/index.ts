export type { DisclosedClaim } from './disclosures.js';
export { CredentialVerificationError } from './errors.js';
export {
  type DisclosablePath,
  disclosureFrame,
  type IssueSdJwtVcOptions,
  issueSdJwtVc,
  SD_JWT_VC_TYP,
} from './issue.js';
export { integrityOf, matchesIntegrity } from './type-metadata.js';
export { type VerifiedSdJwtVc, type VerifySdJwtVcOptions, verifySdJwtVc } from './verify.js';
