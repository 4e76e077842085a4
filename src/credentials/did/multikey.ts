import type { JWK } from 'jose';
import { base58btcEncode } from './base58.js';
import { resolveDidKey } from './did-key.js';
import { DidResolutionError } from './errors.js';

export const MULTIKEY_CONTEXT = 'https://w3id.org/security/multikey/v1';
export const DID_CONTEXT = 'https://www.w3.org/ns/did/v1';

/**
 * `publicKeyMultibase` of a public JWK (W3C Controlled Identifiers §2.2.2 Multikey): base58btc of
 * multicodec ‖ key — ed25519-pub (0xed) raw 32 bytes, p256-pub (0x1200) compressed SEC1 point.
 */
export function jwkToMultibase(jwk: JWK): string {
  if (jwk.kty === 'OKP' && jwk.crv === 'Ed25519' && jwk.x) {
    const raw = Buffer.from(jwk.x, 'base64url');
    return `z${base58btcEncode(Buffer.concat([Buffer.from([0xed, 0x01]), raw]))}`;
  }
  if (jwk.kty === 'EC' && jwk.crv === 'P-256' && jwk.x && jwk.y) {
    const y = Buffer.from(jwk.y, 'base64url');
    const prefix = (y[y.length - 1] as number) & 1 ? 0x03 : 0x02;
    const point = Buffer.concat([Buffer.from([prefix]), Buffer.from(jwk.x, 'base64url')]);
    return `z${base58btcEncode(Buffer.concat([Buffer.from([0x80, 0x24]), point]))}`;
  }
  throw new DidResolutionError('Multikey: key type not supported');
}

/** The did:key of a public JWK (Ed25519 or P-256). */
export function didKeyFromJwk(jwk: JWK): string {
  return `did:key:${jwkToMultibase(jwk)}`;
}

/** A Multikey verification method document (what a JSON-LD document loader returns for its id). */
export function multikeyVerificationMethod(
  id: string,
  controller: string,
  jwk: JWK,
): Record<string, unknown> {
  return {
    '@context': MULTIKEY_CONTEXT,
    id,
    type: 'Multikey',
    controller,
    publicKeyMultibase: jwkToMultibase(jwk),
  };
}

/**
 * The DID document of a did:key (did:key v0.7 §3.1.1, Multikey form), and its one verification
 * method, for Data Integrity verification without a network.
 */
export function didKeyDocument(did: string): Record<string, unknown> {
  const id = did.slice('did:key:'.length);
  const jwk = resolveDidKey(did, undefined);
  const vmId = `${did}#${id}`;
  const { '@context': _context, ...vm } = multikeyVerificationMethod(vmId, did, jwk);
  return {
    '@context': [DID_CONTEXT, MULTIKEY_CONTEXT],
    id: did,
    verificationMethod: [vm],
    authentication: [vmId],
    assertionMethod: [vmId],
    capabilityDelegation: [vmId],
    capabilityInvocation: [vmId],
  };
}
