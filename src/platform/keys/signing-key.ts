import type { JWK } from 'jose';

export type SigningAlgorithm = 'ES256' | 'EdDSA';

/**
 * The one way any service signs. Local, encrypted-at-rest and PKCS#11 keys all implement it, so
 * the private key never leaves its holder: callers get signatures and the public JWK only.
 */
export interface SigningKey {
  /** RFC 7638 thumbprint of the public key, used as the JWS `kid`. */
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  /** Public JWK with `kid`, `alg` and `use: "sig"`. */
  readonly publicJwk: JWK;
  /** Signs the bytes; ES256 signatures are raw r‖s (JWS form), EdDSA is Ed25519. */
  sign(data: Uint8Array): Promise<Uint8Array>;
}
