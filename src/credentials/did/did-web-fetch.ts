import type { DidDocumentResolver } from './did-web.js';
import { didWebDocumentUrl } from './did-web.js';
import { DidResolutionError } from './errors.js';

const MAX_BYTES = 256 * 1024;

/**
 * A did:web resolver over HTTPS (did:web §3.2.2 Read) for verifiers: only DIDs the caller trusts
 * are fetched (a credential must not make us fetch arbitrary URLs), with a timeout and a size
 * bound, and the document must name the DID it was fetched for.
 */
export function createDidWebResolver(options: {
  trusted: (did: string) => boolean;
  timeoutMs?: number;
  fetch?: typeof fetch;
}): DidDocumentResolver {
  const fetcher = options.fetch ?? fetch;
  return async (did) => {
    if (!did.startsWith('did:web:') || !options.trusted(did)) return undefined;
    const response = await fetcher(didWebDocumentUrl(did), {
      headers: { accept: 'application/did+json, application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
    });
    if (!response.ok) throw new DidResolutionError(`did:web: document answered ${response.status}`);
    const text = await response.text();
    if (text.length > MAX_BYTES) throw new DidResolutionError('did:web: document too large');
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      throw new DidResolutionError('did:web: document is not JSON');
    }
    if (typeof document !== 'object' || document === null || (document as { id?: unknown }).id !== did) {
      throw new DidResolutionError('did:web: document is for another DID');
    }
    return document as Record<string, unknown>;
  };
}
