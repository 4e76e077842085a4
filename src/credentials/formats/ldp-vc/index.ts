export { ldpVc } from './format.js';
export { LDP_VC, LDP_VC_MEDIA_TYPE } from './id.js';
export { type IssueLdpVcOptions, issueLdpVc } from './issue.js';
export { type VerifiedLdpVc, type VerifyLdpVcOptions, verifyLdpVc } from './verify.js';
