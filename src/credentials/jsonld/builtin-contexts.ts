import * as credentialsContext from '@digitalbazaar/credentials-context';
import dataIntegrityContext from '@digitalbazaar/data-integrity-context';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import multikeyContext from '@digitalbazaar/multikey-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';

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
    [Ed25519Signature2020.CONTEXT_URL, Ed25519Signature2020.CONTEXT] as [string, object],
  ].map(([url, context]) => [url, deepFreeze(context)]),
);

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
