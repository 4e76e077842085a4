import { createPublicKey, type KeyObject } from 'node:crypto';
import { ExternalSigningKey } from 'oidc-provider';
import type { KeyStore, SigningKey } from '../../platform/keys/index.js';
import { AUTHZ_KEY_ALG, AUTHZ_KEY_PURPOSE } from './rotation.js';

/**
 * A key of ours as oidc-provider sees it: `features.externalSigningSupport` (experimental-01,
 * oidc-provider pinned at 9.13.3) lets the provider sign JWTs (ID tokens, JWT access tokens, signed
 * userinfo and introspection) through `sign(data)`, so authz's private keys stay behind the key
 * interface — sealed or in the HSM — and never become JWKs in the provider's memory.
 */
export class ProviderSigningKey extends ExternalSigningKey {
  private publicKey: KeyObject | undefined;

  constructor(private readonly key: SigningKey) {
    super();
    this.kid = key.kid;
    this.alg = key.alg;
  }

  override keyObject(): KeyObject {
    this.publicKey ??= createPublicKey({ key: this.key.publicJwk as never, format: 'jwk' });
    return this.publicKey;
  }

  override async sign(data: Buffer): Promise<Buffer> {
    return Buffer.from(await this.key.sign(data));
  }
}

export interface SigningKeySet {
  /** The kid that signs (the newest activated key). */
  activeKid: string;
  /**
   * oidc-provider's `jwks`: the signing key first (the provider signs with the first key that fits
   * the algorithm), then the other published keys — pending ones (a rotation's lead time) and
   * retired ones whose tokens may still be valid — which are only in the JWKS.
   */
  providerKeys: ProviderSigningKey[];
  /** The KeyStore fingerprint the set was built from (a change means reload). */
  fingerprint: string;
}

/** The keys an instance loads (creating the first one). */
export async function loadSigningKeys(keyStore: KeyStore, when?: number): Promise<SigningKeySet> {
  await keyStore.ensureActive(AUTHZ_KEY_PURPOSE, AUTHZ_KEY_ALG);
  const at = when ?? Date.now();
  const signing = await keyStore.signing(AUTHZ_KEY_PURPOSE, at);
  if (!signing) throw new Error('authz: no signing key');
  const others = (await keyStore.published(AUTHZ_KEY_PURPOSE, at)).filter((k) => k.kid !== signing.key.kid);
  return {
    activeKid: signing.key.kid,
    providerKeys: [signing.key, ...others].map((key) => new ProviderSigningKey(key)),
    fingerprint: await keyStore.fingerprint(AUTHZ_KEY_PURPOSE, at),
  };
}
