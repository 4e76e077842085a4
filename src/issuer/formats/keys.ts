import type { KeyStore, SigningAlgorithm, SigningKey } from '../../platform/keys/index.js';
import { ISSUER_KEY_PURPOSE } from '../jwt-vc-issuer.js';

/**
 * Key purposes of the format signers. One key per algorithm for the W3C formats (every Data
 * Integrity suite and jwt_vc_json of that algorithm share it; the did:web document lists them all),
 * the SD-JWT VC key of the foundation, and the mdoc document signer and its IACA root.
 */
export const W3C_KEY_PURPOSE: Record<SigningAlgorithm, string> = {
  EdDSA: 'issuer-w3c-eddsa',
  ES256: 'issuer-w3c-es256',
};
export const SD_JWT_KEY_PURPOSE = ISSUER_KEY_PURPOSE;
export const MDOC_DS_KEY_PURPOSE = 'issuer-mdoc-ds';
export const MDOC_IACA_KEY_PURPOSE = 'issuer-mdoc-iaca';

/** Purposes whose keys verify credentials by DID (published in /.well-known/did.json). */
export const DID_KEY_PURPOSES = [W3C_KEY_PURPOSE.EdDSA, W3C_KEY_PURPOSE.ES256, SD_JWT_KEY_PURPOSE];

/** How long an instance keeps using the active key it read before looking for a newer one. */
const ACTIVE_KEY_TTL_MS = 60_000;

/**
 * The active key per purpose, re-read from the KeyStore at most once a minute: signing does no
 * query per credential, and a key rotated in by another instance is picked up within a minute
 * (its predecessor stays published, so credentials signed meanwhile still verify).
 */
export class ActiveKeys {
  private readonly cache = new Map<string, { at: number; key: Promise<SigningKey> }>();

  constructor(
    private readonly keys: KeyStore,
    private readonly clock: () => number = Date.now,
  ) {}

  get(purpose: string, alg: SigningAlgorithm): Promise<SigningKey> {
    const now = this.clock();
    const cached = this.cache.get(purpose);
    if (cached && now - cached.at < ACTIVE_KEY_TTL_MS) return cached.key;
    const key = this.keys.ensureActive(purpose, alg);
    this.cache.set(purpose, { at: now, key });
    key.catch(() => this.cache.delete(purpose));
    return key;
  }
}
