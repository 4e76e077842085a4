import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import {
  type Commit,
  deleteExpiredInBatches,
  prepareStatement,
  SweepSchedule,
  transactionPerUnit,
} from '../platform/db/index.js';
import { pooledRandomBytes } from '../platform/random.js';
import type { IssuerTables } from './database.js';

/** The conditional insert that spends a nonce: of two transactions with one nonce, one inserts. */
const SPEND = prepareStatement(
  'insert into "issuer_spent_nonces" ("value", "expires_at") values ($1, $2) on conflict ("value") do nothing',
);

/**
 * At most 1,000 rows per transaction (about 8 ms on SQLite: the keys, expiry-prefixed, are clustered but not
 * ordered) and 200 transactions per sweep: 200,000 a minute, above what an instance issues.
 */
const SWEEP_LIMITS = { batch: 1_000, batches: 200 };

/** version (1) ‖ expiry, epoch ms (6, big-endian) ‖ random (16) ‖ HMAC-SHA-256 truncated (16). */
const VERSION = 1;
const SIGNED_LENGTH = 1 + 6 + 16;
const MAC_LENGTH = 16;
const NONCE_LENGTH = SIGNED_LENGTH + MAC_LENGTH;
/** base64url of NONCE_LENGTH bytes, unpadded. */
const ENCODED_LENGTH = Math.ceil((NONCE_LENGTH * 4) / 3);

/**
 * c_nonce values (OpenID4VCI 1.0 §7): issued without any write — each nonce carries its expiry and
 * an HMAC under a secret every instance derives from the master key — and spent at most once, by
 * inserting it into `issuer_spent_nonces` inside the transaction that issues the credential. So the
 * nonce endpoint does no I/O (an anonymous caller cannot grow the database through it, and it is as
 * cheap as a stateless challenge), while every instance behind a load balancer accepts a nonce any of
 * them issued, and only once, also after a restart.
 */
export class NonceStore {
  private readonly sweeps: SweepSchedule;

  constructor(
    private readonly db: Kysely<IssuerTables>,
    private readonly ttlSeconds: number,
    /** The HMAC key: `masterKey.derive('issuer c_nonce')` in a service (the same on every instance). */
    private readonly secret: Buffer,
    private readonly now: () => number = Date.now,
    /** How the sweep's delete becomes durable (the database's group commit in a service). */
    private readonly commit: Commit = transactionPerUnit(db as Kysely<unknown>),
  ) {
    if (secret.length < 32) throw new Error('the c_nonce secret must have at least 256 bits');
    this.sweeps = new SweepSchedule(() => this.sweep(), now());
  }

  /** A fresh, unpredictable nonce (128 random bits, MAC'd) valid for the configured TTL. Writes nothing. */
  issue(): string {
    const now = this.now();
    this.sweeps.due(now);
    const nonce = Buffer.allocUnsafe(NONCE_LENGTH);
    nonce[0] = VERSION;
    nonce.writeUIntBE(now + this.ttlSeconds * 1000, 1, 6);
    pooledRandomBytes(16).copy(nonce, 7);
    this.mac(nonce).copy(nonce, SIGNED_LENGTH, 0, MAC_LENGTH);
    return nonce.toString('base64url');
  }

  /**
   * Consumes a nonce: true exactly once for an unexpired nonce this issuer (any instance) created.
   * The insert of its primary key is atomic in both SQLite and PostgreSQL: of two instances racing
   * on the same nonce, one inserts and the other finds the row (PostgreSQL waits for the first
   * transaction, then sees the conflict).
   */
  consume(value: string): Promise<boolean> {
    return this.consumeIn(this.db, value);
  }

  /** `consume` inside a caller's transaction: rolled back with it, so a failed issuance keeps the nonce. */
  async consumeIn(db: Kysely<IssuerTables>, value: string): Promise<boolean> {
    const expiresAt = this.verify(value);
    return expiresAt !== undefined && this.spendIn(db, value, expiresAt);
  }

  /**
   * Records a nonce already found genuine (`genuineExpiry`) as spent, inside the caller's transaction:
   * true for the one transaction that inserts it. Its MAC is not computed a second time.
   */
  async spendIn(db: Kysely<IssuerTables>, value: string, expiresAt: number): Promise<boolean> {
    const { changes } = await SPEND.run(db as Kysely<unknown>, [value, expiresAt]);
    return changes === 1;
  }

  /**
   * The expiry of a nonce this issuer made that has not expired, undefined otherwise: no database read,
   * so a forged or expired nonce is refused before any issuing work at the cost of one HMAC. Whether it
   * was spent is decided by `spendIn`, in the issuing transaction.
   */
  genuineExpiry(value: string): number | undefined {
    return this.verify(value);
  }

  /** Whether a nonce could still be consumed (genuine, unexpired and not spent; a read, nothing changes). */
  async isLive(value: string): Promise<boolean> {
    if (this.verify(value) === undefined) return false;
    const spent = await this.db
      .selectFrom('issuer_spent_nonces')
      .select('value')
      .where('value', '=', value)
      .executeTakeFirst();
    return spent === undefined;
  }

  /**
   * Deletes the spent nonces that have expired anyway (their MAC'd expiry refuses them), in batches;
   * returns how many.
   */
  sweep(limits = SWEEP_LIMITS): Promise<number> {
    return deleteExpiredInBatches(
      this.commit,
      { table: 'issuer_spent_nonces', key: 'value', expiry: 'expires_at' },
      this.now(),
      limits,
    );
  }

  /** The expiry of a well-formed nonce whose MAC holds and that has not expired; otherwise undefined. */
  private verify(value: string): number | undefined {
    if (value.length !== ENCODED_LENGTH) return undefined;
    const nonce = Buffer.from(value, 'base64url');
    // Buffer.from drops what is not base64url; a re-encoding that differs is not our nonce.
    if (nonce.length !== NONCE_LENGTH || nonce[0] !== VERSION || nonce.toString('base64url') !== value)
      return undefined;
    const expected = this.mac(nonce).subarray(0, MAC_LENGTH);
    if (!timingSafeEqual(expected, nonce.subarray(SIGNED_LENGTH))) return undefined;
    const expiresAt = nonce.readUIntBE(1, 6);
    return expiresAt > this.now() ? expiresAt : undefined;
  }

  private mac(nonce: Buffer): Buffer {
    return createHmac('sha256', this.secret).update(nonce.subarray(0, SIGNED_LENGTH)).digest();
  }
}
