import type { RemoteDocument } from 'jsonld';
import { didKeyDocument } from '../did/multikey.js';
import { BUILTIN_CONTEXTS } from './builtin-contexts.js';

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

/** A URL the loader refuses: not on the allow-list, or a DID it cannot resolve. */
export class DocumentLoaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DocumentLoaderError';
  }
}

export interface DocumentLoaderOptions {
  /** Further contexts to allow (URL → context document), e.g. a deployment's domain vocabulary. */
  contexts?: ReadonlyMap<string, object> | Record<string, object>;
  /**
   * Resolves a DID (without fragment) other than did:key to its DID document, e.g. the issuer's own
   * did:web document, or a fetch of `/.well-known/did.json` from a trusted host. Absent: only did:key.
   */
  resolveDid?: (did: string) => Promise<Record<string, unknown> | undefined>;
}

function remote(url: string, document: unknown): RemoteDocument {
  return { contextUrl: null, documentUrl: url, document };
}

/**
 * A JSON-LD document loader that never touches the network: contexts come from the allow-list
 * (the context packages plus `options.contexts`), DIDs from did:key or the `resolveDid` callback,
 * and a DID URL with a fragment yields that verification method. Anything else is a clear error.
 */
export function createDocumentLoader(options: DocumentLoaderOptions = {}): DocumentLoader {
  const extra =
    options.contexts instanceof Map
      ? options.contexts
      : new Map(Object.entries((options.contexts ?? {}) as Record<string, object>));
  const didDocument = async (did: string): Promise<Record<string, unknown>> => {
    if (did.startsWith('did:key:')) return didKeyDocument(did);
    const document = options.resolveDid ? await options.resolveDid(did) : undefined;
    if (!document) throw new DocumentLoaderError(`DID not resolvable offline: ${did.slice(0, 80)}`);
    return document;
  };
  return async (url: string) => {
    const context = BUILTIN_CONTEXTS.get(url) ?? extra.get(url);
    if (context) return remote(url, context);
    if (url.startsWith('did:')) {
      const hash = url.indexOf('#');
      if (hash === -1) return remote(url, await didDocument(url));
      const did = url.slice(0, hash);
      const document = await didDocument(did);
      const methods = Array.isArray(document.verificationMethod) ? document.verificationMethod : [];
      const method = methods.find(
        (m: unknown) => typeof m === 'object' && m !== null && (m as { id?: unknown }).id === url,
      );
      if (!method) throw new DocumentLoaderError(`verification method not found: ${url.slice(0, 120)}`);
      // A verification method on its own needs its type's context (the DID document carried it).
      return remote(url, { '@context': document['@context'], ...(method as object) });
    }
    throw new DocumentLoaderError(
      `JSON-LD context or document not allowed (offline loader): ${url.slice(0, 200)}`,
    );
  };
}

/**
 * jsonld wraps a loader's error (`jsonld.InvalidUrl` → details.cause); this finds ours again so a
 * caller sees "context not allowed: <url>" rather than a generic dereferencing failure.
 */
export function findLoaderError(error: unknown): DocumentLoaderError | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    if (current instanceof DocumentLoaderError) return current;
    const { details, cause } = current as { details?: { cause?: unknown }; cause?: unknown };
    current = details?.cause ?? cause;
  }
  return undefined;
}
