import { createHash, randomBytes } from 'node:crypto';
import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { ProtocolTables } from '../protocol-database.js';

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');

/** What is needed to ask the pipeline again for a pending issuance. */
export interface PendingIssuance {
  configurationId: string;
  subject: { sub: string; claims: Record<string, unknown> };
  holderJwks: JWK[];
  offeredClaims?: Record<string, unknown>;
  /** Draft 13 wallets get the draft 13 response shape. */
  draft13?: boolean;
}

export interface DeferredTransaction {
  pending: PendingIssuance;
  reference?: string;
  interval: number;
}

/**
 * Deferred issuance transactions (OpenID4VCI 1.0 §9): a transaction id is 256 random bits, stored
 * only as a hash, bound to the token's issuer and subject, and ends when its credentials are
 * delivered (a conditional DELETE, so two instances cannot both deliver).
 */
export class DeferredStore {
  constructor(
    private readonly db: Kysely<ProtocolTables>,
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
  ) {}

  async start(owner: string, transaction: DeferredTransaction): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    const now = this.now();
    await this.db
      .insertInto('issuer_deferred')
      .values({
        id_hash: sha256(id),
        owner,
        request: JSON.stringify(transaction.pending),
        reference: transaction.reference ?? null,
        interval: transaction.interval,
        created_at: now,
        expires_at: now + this.ttlSeconds * 1000,
      })
      .execute();
    return id;
  }

  async get(id: string, owner: string): Promise<DeferredTransaction | undefined> {
    if (id.length === 0 || id.length > 100) return undefined;
    const row = await this.db
      .selectFrom('issuer_deferred')
      .selectAll()
      .where('id_hash', '=', sha256(id))
      .where('owner', '=', owner)
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    if (!row) return undefined;
    return {
      pending: JSON.parse(row.request) as PendingIssuance,
      reference: row.reference ?? undefined,
      interval: row.interval,
    };
  }

  /** Ends the transaction; true for exactly one caller. */
  async finish(id: string): Promise<boolean> {
    const result = await this.db
      .deleteFrom('issuer_deferred')
      .where('id_hash', '=', sha256(id))
      .executeTakeFirst();
    return Number(result.numDeletedRows) === 1;
  }
}
