import { webcrypto } from 'node:crypto';
import type { JWK } from 'jose';
import type { SigningKey } from '../signing-key.js';

/**
 * A WebCrypto `Crypto` for @peculiar/x509 that signs through the key interface: certificates and
 * CSRs of HSM keys are signed inside the token, and sealed keys are never exported for it. Every
 * other operation (digests, public-key import and export, verification) is Node's WebCrypto.
 */

const nodeSubtle = webcrypto.subtle;
/** The SigningKey behind each stand-in CryptoKey handed to @peculiar/x509. */
const holders = new WeakMap<object, SigningKey>();

function algorithmOf(key: SigningKey): KeyAlgorithm & { namedCurve?: string } {
  return key.alg === 'ES256' ? { name: 'ECDSA', namedCurve: 'P-256' } : { name: 'Ed25519' };
}

/**
 * A stand-in CryptoKey for a private key held behind the interface: @peculiar/x509 reads its
 * `algorithm` to pick the signature algorithm and passes it back to `subtle.sign`, nothing else.
 */
export function privateCryptoKey(key: SigningKey): CryptoKey {
  const stand: CryptoKey = {
    algorithm: algorithmOf(key),
    extractable: false,
    type: 'private',
    usages: ['sign'],
  } as CryptoKey;
  holders.set(stand, key);
  return stand;
}

/** The public half as a real (Node WebCrypto) CryptoKey. */
export async function publicCryptoKey(jwk: JWK): Promise<CryptoKey> {
  const algorithm =
    jwk.kty === 'EC' ? { name: 'ECDSA', namedCurve: jwk.crv as string } : { name: 'Ed25519' as const };
  const { kty, crv, x, y } = jwk;
  return (await nodeSubtle.importKey('jwk', { kty, crv, x, ...(y ? { y } : {}) }, algorithm, true, [
    'verify',
  ])) as unknown as CryptoKey;
}

export async function cryptoKeyPair(key: SigningKey): Promise<CryptoKeyPair> {
  return { privateKey: privateCryptoKey(key), publicKey: await publicCryptoKey(key.publicJwk) };
}

const subtle = new Proxy(nodeSubtle, {
  get(target, property, receiver) {
    if (property === 'sign') {
      return async (algorithm: AlgorithmIdentifier, key: CryptoKey, data: BufferSource) => {
        const holder = holders.get(key);
        if (!holder) return target.sign(algorithm as never, key as never, data as never);
        const hash = (algorithm as EcdsaParams).hash;
        const hashName = typeof hash === 'string' ? hash : hash?.name;
        if (holder.alg === 'ES256' && hashName && hashName.toUpperCase() !== 'SHA-256') {
          throw new Error(`key ${holder.kid} signs ES256 (SHA-256) only, not ${hashName}`);
        }
        const bytes = ArrayBuffer.isView(data)
          ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
          : new Uint8Array(data);
        // ES256 gives raw r‖s, which is WebCrypto's ECDSA form: @peculiar/x509 DER-encodes it.
        const signature = await holder.sign(bytes);
        return signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength);
      };
    }
    const value = Reflect.get(target, property, receiver);
    return typeof value === 'function' ? value.bind(target) : value;
  },
});

/** Pass as the `crypto` argument of @peculiar/x509's generators. */
export const keyInterfaceCrypto: Crypto = {
  subtle: subtle as unknown as SubtleCrypto,
  getRandomValues: <T extends ArrayBufferView | null>(array: T) =>
    webcrypto.getRandomValues(array as never) as T,
  randomUUID: () => webcrypto.randomUUID(),
} as Crypto;
