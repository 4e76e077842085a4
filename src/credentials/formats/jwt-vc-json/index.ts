export { jwtVcJson } from './format.js';
export { JWT_VC_JSON, JWT_VC_MEDIA_TYPE } from './id.js';
export { type IssueJwtVcOptions, issueJwtVc } from './issue.js';
export { type VerifiedJwtVc, type VerifyJwtVcOptions, verifyJwtVc } from './verify.js';
