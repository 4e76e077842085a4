// The verify core's terms are the formats' contract (src/credentials/formats/types.ts).
export type { VerifiedCredential, VerifyContext } from '../formats/types.js';
