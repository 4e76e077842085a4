import * as credentialsContext from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import multikeyContext from '@digitalbazaar/multikey-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';

export const VC_V1_CONTEXT = 'https://www.w3.org/2018/credentials/v1';
export const VC_V2_CONTEXT = 'https://www.w3.org/ns/credentials/v2';
export const UNDEFINED_TERMS_CONTEXT = 'https://www.w3.org/ns/credentials/undefined-terms/v2';
export const DATA_INTEGRITY_V2_CONTEXT = 'https://w3id.org/security/data-integrity/v2';
export const ED25519_2020_CONTEXT = Ed25519Signature2020.CONTEXT_URL;
export const STATUS_LIST_CONTEXT = 'https://www.w3.org/ns/credentials/status/v1';

/**
 * The allow-list: every JSON-LD context a credential of ours (or one we verify) may use, taken from
 * the context packages, so no context is ever fetched from the network. Frozen: contexts are
 * immutable, and a loader can hand them out without copying.
 */
export const BUILTIN_CONTEXTS: ReadonlyMap<string, object> = new Map<string, object>(
  [
    ...credentialsContext.contexts,
    ...dataIntegrityContext.contexts,
    ...multikeyContext.contexts,
    ...statusListContext.contexts,
    [ED25519_2020_CONTEXT, Ed25519Signature2020.CONTEXT] as [string, object],
  ].map(([url, context]) => [url, deepFreeze(context)]),
);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
