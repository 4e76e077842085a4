import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { type Commit, transactionPerUnit } from '../platform/db/index.js';
import type { IssuerTables } from './database.js';

/** Expired rows are swept at most this often per instance (the sweep is an optimisation, not a rule). */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * c_nonce values (OpenID4VCI 1.0 §7) kept in the issuer database so that every instance behind a
 * load balancer accepts a nonce that any of them issued, and only once.
 */
export class NonceStore {
  private lastSweep = 0;

  constructor(
    private readonly db: Kysely<IssuerTables>,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
    /** How writes become durable (the database's group commit in a service). */
    private readonly commit: Commit = transactionPerUnit(db as Kysely<unknown>),
  ) {}

  /** A fresh, unpredictable nonce (256 bits) valid for the configured TTL. */
  async issue(): Promise<string> {
    const value = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.commit<unknown, IssuerTables>((trx) =>
      trx
        .insertInto('issuer_nonces')
        .values({ value, expires_at: now + this.ttlSeconds * 1000 })
        .execute(),
    );
    if (now - this.lastSweep >= SWEEP_INTERVAL_MS) {
      this.lastSweep = now;
      await this.sweep();
    }
    return value;
  }

  /**
   * Consumes a nonce: true exactly once for an unexpired nonce this issuer created. The single
   * conditional DELETE is atomic in both SQLite and PostgreSQL, so two instances racing on the
   * same nonce cannot both see a deleted row.
   */
  consume(value: string): Promise<boolean> {
    return this.consumeIn(this.db, value);
  }

  /** `consume` inside a caller's transaction: rolled back with it, so a failed issuance keeps the nonce. */
  async consumeIn(db: Kysely<IssuerTables>, value: string): Promise<boolean> {
    if (value.length === 0 || value.length > 64) return false;
    const result = await db
      .deleteFrom('issuer_nonces')
      .where('value', '=', value)
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }

  /**
   * Whether a nonce could still be consumed (a read, nothing changes): lets a request with an unknown
   * or spent nonce be refused before any issuing work. Only `consumeIn` decides.
   */
  async isLive(value: string): Promise<boolean> {
    if (value.length === 0 || value.length > 64) return false;
    const row = await this.db
      .selectFrom('issuer_nonces')
      .select('value')
      .where('value', '=', value)
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    return row !== undefined;
  }

  /** Deletes expired nonces; returns how many. */
  async sweep(): Promise<number> {
    const result = await this.db
      .deleteFrom('issuer_nonces')
      .where('expires_at', '<=', this.now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}
