import { createPublicKey, sign as cryptoSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { SigningAlgorithm, SigningKey } from './signing-key.js';

/** A key held in this process as a parsed KeyObject: signing never re-imports or re-parses it. */
export class LocalSigningKey implements SigningKey {
  private constructor(
    readonly kid: string,
    readonly alg: SigningAlgorithm,
    readonly publicJwk: JWK,
    private readonly privateKey: KeyObject,
  ) {}

  static async fromPrivateKey(privateKey: KeyObject, alg: SigningAlgorithm): Promise<LocalSigningKey> {
    const jwk = createPublicKey(privateKey).export({ format: 'jwk' }) as JWK;
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };
    const kid = await calculateJwkThumbprint(publicJwk, 'sha256');
    return new LocalSigningKey(kid, alg, { ...publicJwk, kid, alg, use: 'sig' }, privateKey);
  }

  static async generate(alg: SigningAlgorithm): Promise<LocalSigningKey> {
    const { privateKey } =
      alg === 'ES256' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('ed25519');
    return LocalSigningKey.fromPrivateKey(privateKey, alg);
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    return this.alg === 'ES256'
      ? cryptoSign('sha256', data, { key: this.privateKey, dsaEncoding: 'ieee-p1363' })
      : cryptoSign(null, data, this.privateKey);
  }

  /** PKCS#8 DER of the private key, for encryption at rest. */
  exportPkcs8(): Buffer {
    return this.privateKey.export({ format: 'der', type: 'pkcs8' });
  }

  /**
   * The private JWK. Only for libraries that insist on holding the key themselves (oidc-provider's
   * `jwks`); everything of ours signs through `sign`.
   */
  exportPrivateJwk(): JWK {
    return {
      ...(this.privateKey.export({ format: 'jwk' }) as JWK),
      kid: this.kid,
      alg: this.alg,
      use: 'sig',
    };
  }
}
