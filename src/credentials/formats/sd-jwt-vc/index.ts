export { RESERVED_CLAIMS, TECHNICAL_CLAIMS } from './claims.js';
export type { DisclosedClaim } from './disclosures.js';
export { sdJwtIssuer, sdJwtVc } from './format.js';
export { SD_JWT_VC, SD_JWT_VC_LEGACY, SD_JWT_VC_MEDIA_TYPE } from './id.js';
export { type DisclosablePath, disclosureFrame, type IssueSdJwtVcOptions, issueSdJwtVc } from './issue.js';
export { integrityOf, matchesIntegrity } from './type-metadata.js';
export { type VerifiedSdJwtVc, type VerifySdJwtVcOptions, verifySdJwtVc } from './verify.js';
