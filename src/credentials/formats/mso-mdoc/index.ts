export { msoMdoc } from './format.js';
export { COSE_ES256, MSO_MDOC, MSO_MDOC_MEDIA_TYPE } from './id.js';
export { type IssueMdocOptions, issueMdoc } from './issue.js';
export {
  MDL_DOCTYPE,
  MDL_MANDATORY_ELEMENTS,
  MDL_NAMESPACE,
  missingMdlElements,
  PLACEHOLDER_PORTRAIT,
  toElementValue,
} from './mdl.js';
export { msoStatus, readMsoStatus } from './status.js';
export { type VerifiedMdoc, type VerifyMdocOptions, verifyMdoc } from './verify.js';
