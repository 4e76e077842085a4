import { createPrivateKey } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../db/index.js';
import { getProcessHsm, type HsmBinding } from './backends.js';
import { KeyUnavailableError } from './errors.js';
import {
  type KeyTables,
  SIGNING_KEYS_MIGRATION_SET,
  type SigningKeysTable,
  signingKeyMigrations,
} from './key-schema.js';
import { isPublished, type Lifecycle, lifecycleOf, type PurposeLifecycle } from './lifecycle.js';
import { LocalSigningKey } from './local-key.js';
import type { MasterKey } from './master-key.js';
import { findTokenKey, generateTokenKey, Pkcs11SigningKey, type TokenKeyRef } from './pkcs11/index.js';
import type { SigningAlgorithm, SigningKey } from './signing-key.js';

/** How long a retired key stays published at least: a status list token's lifetime (a day) and caches. */
export const DEFAULT_RETENTION_FLOOR_MS = 86_400_000 + 3_600_000;
/** `signed_until` is written rounded up to this, so a busy key costs one write a day, not one per credential. */
const SIGNED_UNTIL_STEP_MS = 86_400_000;

export interface KeyStoreOptions {
  /** The HSM; default: the one opened for this process (`openKeyBackends`). */
  hsm?: HsmBinding | null;
  /** Least time a retired key stays published (default a day and an hour). */
  retentionFloorMs?: number;
  clock?: () => number;
}

export interface CreateKeyOptions {
  /** When the key starts signing (a rotation's lead time); default now. */
  activatesAt?: number;
  /** Reference an existing token key by label instead of generating one. */
  tokenLabel?: string;
}

/** A key with where it lives and where it stands (for `attesta keys list` and readiness). */
export interface KeyRecord {
  kid: string;
  purpose: string;
  alg: SigningAlgorithm;
  backend: 'sealed' | 'pkcs11';
  /** Token label and object label of an HSM key. */
  location?: string;
  createdAt: number;
  lifecycle: Lifecycle;
  signedUntil?: number;
  certificateChain?: Buffer[];
}

/** The key that signs now for a purpose, its certificate chain (if any), and when to look again. */
export interface SigningChoice {
  key: SigningKey;
  certificateChain?: Buffer[];
  nextChange?: number;
}

interface Pkcs11Reference extends TokenKeyRef {
  token: string;
}

function chainOf(row: SigningKeysTable): Buffer[] | undefined {
  return row.certificate_chain
    ? (JSON.parse(row.certificate_chain) as string[]).map((b64) => Buffer.from(b64, 'base64'))
    : undefined;
}

function timestampLabel(now: number): string {
  return new Date(now).toISOString().replace(/[-:]/g, '').slice(0, 15);
}

/**
 * Keys of a service, in its database: sealed under the master key, or held in an HSM token (the row
 * keeps only a reference). Loaded keys are kept in memory (their private parts never change), so
 * signing does no I/O and no key import. Rotation, publication and retirement follow lifecycle.ts.
 */
export class KeyStore {
  private readonly loaded = new Map<string, SigningKey>();
  private schema: Promise<void> | undefined;
  private readonly clock: () => number;
  private readonly floorMs: number;
  /** The highest `signed_until` this instance knows to be stored, per kid. */
  private readonly signedUntil = new Map<string, number>();

  constructor(
    private readonly db: Kysely<KeyTables>,
    private readonly masterKey: MasterKey,
    private readonly options: KeyStoreOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.floorMs = options.retentionFloorMs ?? DEFAULT_RETENTION_FLOOR_MS;
  }

  /** The key that signs now for a purpose, created on first use. */
  async ensureActive(purpose: string, alg: SigningAlgorithm): Promise<SigningKey> {
    return (await this.ensureSigning(purpose, alg)).key;
  }

  /** The signing choice of a purpose (key, certificate chain, next change), creating the first key. */
  async ensureSigning(purpose: string, alg: SigningAlgorithm): Promise<SigningChoice> {
    const existing = await this.signing(purpose);
    if (existing) return existing;
    await this.create(purpose, alg);
    const created = await this.signing(purpose);
    if (!created) throw new Error(`key store: no signing key for ${purpose}`);
    return created;
  }

  /** The key that signs now (newest activated), or undefined when the purpose has none yet. */
  async signing(purpose: string, at?: number): Promise<SigningChoice | undefined> {
    const { rows, lifecycle } = await this.purposeRows(purpose, at);
    const row = rows.find((r) => r.kid === lifecycle.signingKid);
    if (!row) return undefined;
    return {
      key: await this.materialise(row),
      certificateChain: chainOf(row),
      nextChange: lifecycle.nextChange,
    };
  }

  /**
   * Adds a key for a purpose: generated in the HSM when the purpose is assigned to it (or an existing
   * token key referenced by label), else generated here and sealed. It signs from `activatesAt`.
   */
  async create(purpose: string, alg: SigningAlgorithm, options: CreateKeyOptions = {}): Promise<SigningKey> {
    await this.ready();
    const now = this.clock();
    const hsm = this.hsm();
    const inToken = options.tokenLabel !== undefined || (hsm?.purposes.has(purpose) ?? false);
    let key: SigningKey;
    let backend: SigningKeysTable['backend'];
    let privateKey: string;
    if (inToken) {
      if (!hsm) throw new Error(`key store: ${purpose} needs an HSM, but keys.pkcs11 is not configured`);
      const made =
        options.tokenLabel !== undefined
          ? await findTokenKey(hsm.token, options.tokenLabel)
          : await generateTokenKey(hsm.token, alg, `attesta-${purpose}-${timestampLabel(now)}`);
      if (made.alg !== alg)
        throw new Error(`token key "${made.ref.label}" is ${made.alg}, ${purpose} needs ${alg}`);
      key = await Pkcs11SigningKey.of(hsm.token, made.ref, alg, made.publicJwk);
      backend = 'pkcs11';
      privateKey = JSON.stringify({ token: hsm.token.label, ...made.ref } satisfies Pkcs11Reference);
    } else {
      const local = await LocalSigningKey.generate(alg);
      key = local;
      backend = 'sealed';
      privateKey = this.masterKey.encrypt(local.exportPkcs8(), local.kid);
    }
    await this.db
      .insertInto('signing_keys')
      .values({
        kid: key.kid,
        purpose,
        alg,
        public_jwk: JSON.stringify(key.publicJwk),
        private_key: privateKey,
        status: 'active',
        created_at: now,
        retired_at: null,
        backend,
        activates_at: options.activatesAt ?? null,
        signed_until: null,
        certificate_chain: null,
      })
      .execute();
    this.loaded.set(key.kid, key);
    return key;
  }

  /** Every key of a purpose that is not revoked, newest first (pending, signing, retired, expired). */
  async all(purpose: string): Promise<SigningKey[]> {
    const { rows, lifecycle } = await this.purposeRows(purpose);
    const kept = rows.filter((row) => lifecycle.byKid.get(row.kid)?.state !== 'revoked');
    return Promise.all(kept.map((row) => this.materialise(row)));
  }

  /** The keys verifiers need: pending, signing and retired ones whose signatures are still valid. */
  async published(purpose: string, at?: number): Promise<SigningKey[]> {
    const { rows, lifecycle } = await this.purposeRows(purpose, at);
    const kept = rows.filter((row) => isPublished(lifecycle.byKid.get(row.kid)?.state ?? 'revoked'));
    return Promise.all(kept.map((row) => this.materialise(row)));
  }

  /** Public JWKS of a purpose: every published key. */
  async publicJwks(purpose: string): Promise<{ keys: JWK[] }> {
    return { keys: (await this.published(purpose)).map((k) => k.publicJwk) };
  }

  /** One key by kid (any state but revoked). */
  async get(kid: string): Promise<SigningKey | undefined> {
    await this.ready();
    const row = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('kid', '=', kid)
      .executeTakeFirst();
    return row && row.status !== 'revoked' ? this.materialise(row) : undefined;
  }

  /** Keys with their state, for listings (no private material is loaded). */
  async records(purpose?: string, at?: number): Promise<KeyRecord[]> {
    await this.ready();
    let query = this.db.selectFrom('signing_keys').selectAll();
    if (purpose) query = query.where('purpose', '=', purpose);
    const rows = await query.orderBy('purpose').orderBy('created_at', 'desc').execute();
    const byPurpose = new Map<string, SigningKeysTable[]>();
    for (const row of rows) byPurpose.set(row.purpose, [...(byPurpose.get(row.purpose) ?? []), row]);
    const now = at ?? this.clock();
    return rows.map((row) => {
      const lifecycle = lifecycleOf(byPurpose.get(row.purpose) ?? [], now, this.floorMs).byKid.get(
        row.kid,
      ) as Lifecycle;
      const reference =
        row.backend === 'pkcs11' ? (JSON.parse(row.private_key) as Pkcs11Reference) : undefined;
      return {
        kid: row.kid,
        purpose: row.purpose,
        alg: row.alg as SigningAlgorithm,
        backend: row.backend,
        ...(reference ? { location: `token "${reference.token}", object "${reference.label}"` } : {}),
        createdAt: Number(row.created_at),
        lifecycle,
        ...(row.signed_until != null ? { signedUntil: Number(row.signed_until) } : {}),
        ...(row.certificate_chain ? { certificateChain: chainOf(row) } : {}),
      };
    });
  }

  /**
   * Records that something signed with `kid` is valid until `until` (a credential's expiry), so the
   * key stays published that long after it is retired. Written rounded up to a day, and only when it
   * moves past what is stored: about one write per key per day.
   */
  async noteSigned(kid: string, until: number): Promise<void> {
    const known = this.signedUntil.get(kid) ?? 0;
    if (until <= known) return;
    const rounded = Math.ceil(until / SIGNED_UNTIL_STEP_MS) * SIGNED_UNTIL_STEP_MS;
    await this.ready();
    await this.db
      .updateTable('signing_keys')
      .set({ signed_until: rounded })
      .where('kid', '=', kid)
      .where((eb) => eb.or([eb('signed_until', 'is', null), eb('signed_until', '<', rounded)]))
      .execute();
    this.signedUntil.set(kid, rounded);
  }

  /** Retires a key now (it stays published while what it signed is valid). */
  async retire(kid: string): Promise<void> {
    await this.setStatus(kid, 'retired');
  }

  /** Revokes a compromised key: it signs nothing more and leaves every published key set at once. */
  async revoke(kid: string): Promise<void> {
    await this.setStatus(kid, 'revoked');
  }

  /** Ends a pending key's lead time now: it signs from this moment (the replacement of a revoked key). */
  async activateNow(kid: string): Promise<void> {
    await this.ready();
    const result = await this.db
      .updateTable('signing_keys')
      .set({ activates_at: this.clock() })
      .where('kid', '=', kid)
      .where('status', '=', 'active')
      .executeTakeFirst();
    if (!Number(result.numUpdatedRows)) throw new Error(`no active key ${kid}`);
  }

  /** Stores the key's certificate chain (leaf first), replacing the one it had. */
  async setCertificateChain(kid: string, chain: readonly Uint8Array[]): Promise<void> {
    await this.ready();
    const encoded = JSON.stringify(chain.map((der) => Buffer.from(der).toString('base64')));
    await this.db
      .updateTable('signing_keys')
      .set({ certificate_chain: encoded })
      .where('kid', '=', kid)
      .execute();
  }

  private async setStatus(kid: string, status: 'retired' | 'revoked'): Promise<void> {
    await this.ready();
    const result = await this.db
      .updateTable('signing_keys')
      .set({ status, retired_at: this.clock() })
      .where('kid', '=', kid)
      .executeTakeFirst();
    if (!Number(result.numUpdatedRows)) throw new Error(`no key ${kid}`);
    this.loaded.delete(kid);
  }

  private hsm(): HsmBinding | undefined {
    return this.options.hsm === null ? undefined : (this.options.hsm ?? getProcessHsm());
  }

  /** The shared table's later columns, once per store (a service's own list creates the table). */
  private ready(): Promise<void> {
    this.schema ??= migrateToLatest(
      this.db as Kysely<unknown>,
      SIGNING_KEYS_MIGRATION_SET,
      signingKeyMigrations,
    );
    return this.schema;
  }

  /**
   * What a purpose's published set and signing key are built from, as one string: a running
   * instance that polls it learns of a rotation, an activation, a key dropping out or a revocation.
   */
  async fingerprint(purpose: string, at?: number): Promise<string> {
    const { lifecycle } = await this.purposeRows(purpose, at);
    const published = [...lifecycle.byKid].filter(([, l]) => isPublished(l.state)).map(([kid]) => kid);
    return `${lifecycle.signingKid ?? ''}|${published.sort().join(',')}`;
  }

  private async purposeRows(
    purpose: string,
    at?: number,
  ): Promise<{ rows: SigningKeysTable[]; lifecycle: PurposeLifecycle }> {
    await this.ready();
    const rows = await this.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('purpose', '=', purpose)
      .orderBy('created_at', 'desc')
      .orderBy('kid')
      .execute();
    for (const row of rows) {
      if (row.signed_until != null && Number(row.signed_until) > (this.signedUntil.get(row.kid) ?? 0)) {
        this.signedUntil.set(row.kid, Number(row.signed_until));
      }
    }
    return { rows, lifecycle: lifecycleOf(rows, at ?? this.clock(), this.floorMs) };
  }

  private async materialise(row: SigningKeysTable): Promise<SigningKey> {
    const cached = this.loaded.get(row.kid);
    if (cached) return cached;
    const alg = row.alg as SigningAlgorithm;
    let key: SigningKey;
    if (row.backend === 'pkcs11') {
      const reference = JSON.parse(row.private_key) as Pkcs11Reference;
      const hsm = this.hsm();
      if (!hsm || hsm.token.label !== reference.token) {
        // Never a fall-back: a key that lives in a token signs there or not at all.
        throw new KeyUnavailableError(
          `key ${row.kid} (${row.purpose}) lives in PKCS#11 token "${reference.token}", which is not configured (keys.pkcs11)`,
          60,
        );
      }
      key = await Pkcs11SigningKey.of(hsm.token, reference, alg, JSON.parse(row.public_jwk) as JWK);
    } else {
      const der = this.masterKey.decrypt(row.private_key, row.kid);
      key = await LocalSigningKey.fromPrivateKey(
        createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
        alg,
      );
    }
    this.loaded.set(row.kid, key);
    return key;
  }
}
