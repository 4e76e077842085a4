import { X509Certificate } from 'node:crypto';
import type { IssuerKeyChoice } from '../../credentials/formats/types.js';
import type { KeyStore, SigningAlgorithm, SigningChoice, SigningKey } from '../../platform/keys/index.js';
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

/**
 * The key purpose that signs what a format asks for (`CredentialFormat.issuerKey`): the document
 * signer for a certificate chain, the W3C key of the algorithm for did:web, else the SD-JWT VC key.
 * Configurations of one kind and algorithm share that key (docs/keys.md).
 */
export function keyPurposeOf(choice: IssuerKeyChoice): string {
  if (choice.kind === 'x509') return MDOC_DS_KEY_PURPOSE;
  return choice.kind === 'did' ? W3C_KEY_PURPOSE[choice.alg] : SD_JWT_KEY_PURPOSE;
}

/** Purposes whose keys verify credentials by DID (published in /.well-known/did.json). */
export const DID_KEY_PURPOSES = [W3C_KEY_PURPOSE.EdDSA, W3C_KEY_PURPOSE.ES256, SD_JWT_KEY_PURPOSE];

function isSelfSigned(der: Buffer): boolean {
  const certificate = new X509Certificate(der);
  return certificate.subject === certificate.issuer && certificate.verify(certificate.publicKey);
}

/** How long an instance keeps using the signing key it read before looking again. */
const ACTIVE_KEY_TTL_MS = 60_000;

/**
 * The signing key per purpose, re-read from the KeyStore at most once a minute — and at the moment
 * a rotated-in key activates (its lead time ends), so no instance signs with a key before that time
 * and all switch together. Signing does no query per credential; a key rotated in by another
 * instance is published at once and used from its activation (docs/keys.md).
 */
export class ActiveKeys {
  private readonly cache = new Map<string, { until: number; choice: Promise<SigningChoice> }>();

  constructor(
    private readonly keys: KeyStore,
    private readonly clock: () => number = Date.now,
  ) {}

  /**
   * The key that signs now. `validUntil`: when what it is about to sign expires — recorded, so that
   * once retired the key stays published until then (a credential issued before a rotation verifies
   * after it).
   */
  async get(purpose: string, alg: SigningAlgorithm, validUntil?: Date): Promise<SigningKey> {
    const { key } = await this.choice(purpose, alg);
    if (validUntil) await this.keys.noteSigned(key.kid, validUntil.getTime());
    return key;
  }

  /**
   * The key that signs now with its certificate chain for `x5c` (leaf first, the self-signed root
   * left out: verifiers hold the trust anchor, HAIP), recording `validUntil` as `get` does.
   */
  async forSigning(
    purpose: string,
    alg: SigningAlgorithm,
    validUntil?: Date,
  ): Promise<{ key: SigningKey; certificates: Buffer[] }> {
    const { key, certificateChain = [] } = await this.choice(purpose, alg);
    if (validUntil) await this.keys.noteSigned(key.kid, validUntil.getTime());
    const last = certificateChain.at(-1);
    const selfSigned = last !== undefined && certificateChain.length > 1 && isSelfSigned(last);
    return { key, certificates: selfSigned ? certificateChain.slice(0, -1) : certificateChain };
  }

  /** Records that `kid` signed something valid until `until` (see KeyStore.noteSigned). */
  noteSigned(kid: string, until: Date): Promise<void> {
    return this.keys.noteSigned(kid, until.getTime());
  }

  /** The signing key with its certificate chain (for `x5c` / `x5chain`). */
  choice(purpose: string, alg: SigningAlgorithm): Promise<SigningChoice> {
    const now = this.clock();
    const cached = this.cache.get(purpose);
    if (cached && now < cached.until) return cached.choice;
    const entry = { until: now + ACTIVE_KEY_TTL_MS, choice: this.keys.ensureSigning(purpose, alg) };
    this.cache.set(purpose, entry);
    entry.choice.then(
      (choice) => {
        if (choice.nextChange !== undefined) entry.until = Math.min(entry.until, choice.nextChange);
      },
      () => this.cache.delete(purpose),
    );
    return entry.choice;
  }
}

/**
 * A SigningKey that is always the purpose's current signing key, for code that holds one key for
 * its lifetime (the status list publisher, the signed metadata): `kid`, `publicJwk` and `sign` read
 * one snapshot, refreshed after each signature from ActiveKeys (so at most one signature late after
 * a switch, and always a consistent kid/signature pair when the caller reads `kid` and calls `sign`
 * in one synchronous step, as signCompactJws does).
 */
export class CurrentKey implements SigningKey {
  private constructor(
    private snapshot: SigningKey,
    private readonly refresh: () => Promise<SigningKey>,
  ) {}

  static async of(active: ActiveKeys, purpose: string, alg: SigningAlgorithm): Promise<CurrentKey> {
    const refresh = () => active.get(purpose, alg);
    return new CurrentKey(await refresh(), refresh);
  }

  get kid(): string {
    return this.snapshot.kid;
  }

  get alg(): SigningAlgorithm {
    return this.snapshot.alg;
  }

  get publicJwk() {
    return this.snapshot.publicJwk;
  }

  async sign(data: Uint8Array): Promise<Uint8Array> {
    const signature = await this.snapshot.sign(data);
    this.refresh().then(
      (key) => {
        this.snapshot = key;
      },
      () => undefined,
    );
    return signature;
  }
}
