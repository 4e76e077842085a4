export { type CheckOutcome, type Inspection, inspectCredential, type TrustPolicy } from './inspect.js';
export { checkStatus, type StatusContext, type StatusOutcome } from './status.js';
export type { VerifiedCredential, VerifyContext } from './types.js';
export {
  detectFormat,
  formatOfCredential,
  parseCredential,
  type VerifyAnyOptions,
  verifyAnyCredential,
  verifyCredential,
} from './verify.js';
