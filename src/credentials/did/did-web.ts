import type { JWK } from 'jose';
import { resolveDidKey } from './did-key.js';
import { DidResolutionError } from './errors.js';
import { DID_CONTEXT, jwkToMultibase, MULTIKEY_CONTEXT } from './multikey.js';
import { assertPublicJwk } from './public-jwk.js';
import { resolveDidUrlToJwk } from './resolve.js';

/**
 * did:web (W3C CCG did:web §3.2) of an https origin (with an optional path): the host, its port
 * percent-encoded (`:` → `%3A`), path segments joined by `:`.
 */
export function didWebFromUrl(url: string): string {
  const parsed = new URL(url);
  const host = parsed.port ? `${parsed.hostname}%3A${parsed.port}` : parsed.hostname;
  const path = parsed.pathname.split('/').filter(Boolean).map(encodeURIComponent);
  return ['did:web', host, ...path].join(':');
}

/**
 * The URL of a did:web's DID document (§3.2.2 Read): `/.well-known/did.json` for a bare host, else
 * `<path>/did.json`. Plain http only for loopback hosts, which only development uses.
 */
export function didWebDocumentUrl(did: string): string {
  if (!did.startsWith('did:web:') || did.includes('#') || did.includes('?')) {
    throw new DidResolutionError('not a did:web');
  }
  const [hostPart = '', ...path] = did.slice('did:web:'.length).split(':');
  const host = decodeURIComponent(hostPart);
  if (!/^[a-z0-9.-]+(:\d+)?$/i.test(host)) throw new DidResolutionError('did:web: bad host');
  const loopback = /^(localhost|127\.0\.0\.1)(:\d+)?$/i.test(host);
  const base = `${loopback ? 'http' : 'https'}://${host}`;
  if (path.length === 0) return `${base}/.well-known/did.json`;
  return `${base}/${path.map((p) => encodeURIComponent(decodeURIComponent(p))).join('/')}/did.json`;
}

export interface DidWebKey {
  /** The public JWK; its `kid` (RFC 7638 thumbprint) becomes the fragment. */
  jwk: JWK;
  /** Informational: retired keys are listed like active ones (they verify what they signed). */
  status?: 'active' | 'retired';
}

/**
 * The DID document of the issuer: every key as a Multikey verification method `did#<kid>`, and
 * every key an assertion method (a retired key asserted what it signed while it was active).
 * Multikey (not JsonWebKey) because Data Integrity cryptosuites resolve it without a JWK import.
 */
export function buildDidWebDocument(did: string, keys: DidWebKey[]): Record<string, unknown> {
  const methods = keys.map(({ jwk }) => {
    const publicJwk = assertPublicJwk(jwk);
    if (!publicJwk.kid) throw new DidResolutionError('did:web: key without kid');
    return {
      id: `${did}#${publicJwk.kid}`,
      type: 'Multikey',
      controller: did,
      publicKeyMultibase: jwkToMultibase(publicJwk),
    };
  });
  const ids = methods.map((m) => m.id);
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: methods,
    assertionMethod: ids,
    authentication: ids,
  };
}

/**
 * A verification method of a did:web DID document, as a stand-alone document (with the Multikey
 * context), and its public JWK. Throws when the document is not for the DID or lacks the method.
 */
export function verificationMethodFromDidDocument(
  document: unknown,
  didUrl: string,
): Record<string, unknown> {
  const did = didUrl.split('#')[0];
  if (typeof document !== 'object' || document === null || (document as { id?: unknown }).id !== did) {
    throw new DidResolutionError('DID document is not for this DID');
  }
  const methods = (document as { verificationMethod?: unknown }).verificationMethod;
  const found = Array.isArray(methods)
    ? methods.find((m) => typeof m === 'object' && m !== null && (m as { id?: unknown }).id === didUrl)
    : undefined;
  if (!found) throw new DidResolutionError('verification method not in the DID document');
  return { '@context': MULTIKEY_CONTEXT, ...(found as Record<string, unknown>) };
}

/** A DID document source (e.g. the issuer's own document, or a fetch of a trusted did:web host). */
export type DidDocumentResolver = (did: string) => Promise<Record<string, unknown> | undefined>;

/**
 * The public JWK of a verification method named by a DID URL: did:key and did:jwk are
 * self-describing; other DIDs (did:web) through `resolveDid`, the method given as Multikey or JWK.
 */
export async function resolveVerificationMethodJwk(
  didUrl: string,
  resolveDid?: DidDocumentResolver,
): Promise<JWK> {
  if (didUrl.startsWith('did:key:') || didUrl.startsWith('did:jwk:')) return resolveDidUrlToJwk(didUrl);
  const did = didUrl.split('#')[0] as string;
  const document = resolveDid ? await resolveDid(did) : undefined;
  if (!document) throw new DidResolutionError('DID not resolvable');
  const method = verificationMethodFromDidDocument(document, didUrl);
  if (typeof method.publicKeyMultibase === 'string') {
    return resolveDidKey(`did:key:${method.publicKeyMultibase}`, undefined);
  }
  return assertPublicJwk(method.publicKeyJwk);
}
