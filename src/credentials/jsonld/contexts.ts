// The URLs of the JSON-LD contexts we name. Their documents (the allow-list the offline loader serves)
// are in builtin-contexts.ts, which loads the context packages: only JSON-LD processing needs them.
export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const UNDEFINED_TERMS_CONTEXT = 'https://www.w3.org/ns/credentials/undefined-terms/v2';
export const DATA_INTEGRITY_V2_CONTEXT = 'https://w3id.org/security/data-integrity/v2';
/** Ed25519Signature2020's context (the suite's CONTEXT_URL; its document is in builtin-contexts.ts). */
export const ED25519_2020_CONTEXT = 'https://w3id.org/security/suites/ed25519-2020/v1';
export const STATUS_LIST_CONTEXT = 'https://www.w3.org/ns/credentials/status/v1';
