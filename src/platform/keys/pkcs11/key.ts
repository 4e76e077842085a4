import { createHash } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { SigningAlgorithm, SigningKey } from '../signing-key.js';
import { CKM_EDDSA } from './constants.js';
import type { Pkcs11Token, TokenKeyRef } from './token.js';

const CKM_ECDSA = 0x1041;

/**
 * A key whose private half lives in an HSM token. ES256: SHA-256 here, then CKM_ECDSA over the
 * digest in the token (tokens such as SoftHSM2 lack CKM_ECDSA_SHA256); the token answers r‖s, which
 * is the JWS form. EdDSA: CKM_EDDSA over the message (Ed25519 hashes internally).
 */
export class Pkcs11SigningKey implements SigningKey {
  private constructor(
    readonly kid: string,
    readonly alg: SigningAlgorithm,
    readonly publicJwk: JWK,
    readonly token: Pkcs11Token,
    readonly ref: TokenKeyRef,
  ) {}

  static async of(
    token: Pkcs11Token,
    ref: TokenKeyRef,
    alg: SigningAlgorithm,
    jwk: JWK,
  ): Promise<Pkcs11SigningKey> {
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    return new Pkcs11SigningKey(kid, alg, { ...publicJwk, kid, alg, use: 'sig' }, token, ref);
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    if (this.alg === 'ES256') {
      const digest = createHash('sha256').update(data).digest();
      return this.token.sign(this.ref, CKM_ECDSA, digest, 64);
    }
    return this.token.sign(
      this.ref,
      CKM_EDDSA,
      Buffer.from(data.buffer, data.byteOffset, data.byteLength),
      64,
    );
  }
}
