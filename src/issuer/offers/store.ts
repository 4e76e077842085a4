import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { OffersTable, ProtocolTables } from '../protocol-database.js';

export const PRE_AUTHORIZED_GRANT = 'urn:ietf:params:oauth:grant-type:pre-authorized_code';

/** `tx_code` of a credential offer (OpenID4VCI 1.0 §4.1.1). */
export interface TxCodeSpec {
  length: number;
  input_mode: 'numeric' | 'text';
  description?: string;
}

export interface NewOffer {
  configurationIds: string[];
  subject?: string;
  claims?: Record<string, unknown>;
  preAuthorized?: { txCode?: TxCodeSpec };
  authorizationCode?: boolean;
  ttlSeconds: number;
  attempts: number;
}

export interface StoredOffer {
  id: string;
  configurationIds: string[];
  subject?: string;
  claims?: Record<string, unknown>;
  /** Re-derived, never stored: the by-reference document must carry it. */
  preAuthorizedCode?: string;
  txCode?: TxCodeSpec;
  issuerState?: string;
  expiresAt: number;
  redeemed: boolean;
}

const sha256 = (value: string) => createHash('sha256').update(value).digest('base64url');
const TEXT_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZ23456789';

function generateTxCode(spec: TxCodeSpec): string {
  const alphabet = spec.input_mode === 'numeric' ? '0123456789' : TEXT_ALPHABET;
  return Array.from({ length: spec.length }, () => alphabet[randomInt(alphabet.length)]).join('');
}

/**
 * Issuer-initiated credential offers (OpenID4VCI 1.0 §4) in the issuer database. The pre-authorized
 * code is an HMAC of the offer id under a master-key-derived secret: every instance can re-derive it
 * for the by-reference document, while the table holds only its hash. The transaction code is shown
 * once, at creation, and only its hash is kept.
 */
export class OfferStore {
  constructor(
    private readonly db: Kysely<ProtocolTables>,
    private readonly codeSecret: Buffer,
    private readonly now: () => number = Date.now,
  ) {}

  private codeOf(id: string): string {
    return createHmac('sha256', this.codeSecret).update(`pre-authorized-code:${id}`).digest('base64url');
  }

  async create(offer: NewOffer): Promise<{ stored: StoredOffer; txCode?: string }> {
    const id = randomBytes(24).toString('base64url');
    const now = this.now();
    const code = offer.preAuthorized ? this.codeOf(id) : undefined;
    const txSpec = offer.preAuthorized?.txCode;
    const txCode = txSpec ? generateTxCode(txSpec) : undefined;
    const issuerState = offer.authorizationCode ? randomBytes(24).toString('base64url') : undefined;
    const row: OffersTable = {
      id,
      configuration_ids: JSON.stringify(offer.configurationIds),
      subject: offer.subject ?? null,
      claims: offer.claims ? JSON.stringify(offer.claims) : null,
      code_hash: code ? sha256(code) : null,
      tx_code_hash: txCode ? sha256(txCode) : null,
      tx_code: txSpec ? JSON.stringify(txSpec) : null,
      issuer_state: issuerState ?? null,
      attempts_left: offer.attempts,
      created_at: now,
      expires_at: now + offer.ttlSeconds * 1000,
      redeemed_at: null,
    };
    await this.db.insertInto('issuer_offers').values(row).execute();
    return { stored: this.toOffer(row), txCode };
  }

  async get(id: string): Promise<StoredOffer | undefined> {
    if (id.length > 64) return undefined;
    const row = await this.db.selectFrom('issuer_offers').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? this.toOffer(row) : undefined;
  }

  async findByIssuerState(issuerState: string): Promise<StoredOffer | undefined> {
    const row = await this.db
      .selectFrom('issuer_offers')
      .selectAll()
      .where('issuer_state', '=', issuerState)
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    return row ? this.toOffer(row) : undefined;
  }

  /**
   * Exchanges a pre-authorized code (§6.1): unknown, expired, used or exhausted codes and wrong
   * transaction codes all fail the same way (`invalid_grant`). Each attempt costs one try before the
   * code is checked, in one conditional UPDATE, so parallel guesses on several instances cannot
   * exceed the limit; a correct code is then claimed once by another conditional UPDATE.
   */
  async redeem(code: string, txCode: string | undefined): Promise<StoredOffer | undefined> {
    if (code.length === 0 || code.length > 200) return undefined;
    const codeHash = sha256(code);
    const now = this.now();
    const spent = await this.db
      .updateTable('issuer_offers')
      .set((eb) => ({ attempts_left: eb('attempts_left', '-', 1) }))
      .where('code_hash', '=', codeHash)
      .where('attempts_left', '>', 0)
      .where('redeemed_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    if (Number(spent.numUpdatedRows) !== 1) return undefined;
    const row = await this.db
      .selectFrom('issuer_offers')
      .selectAll()
      .where('code_hash', '=', codeHash)
      .executeTakeFirstOrThrow();
    if (row.tx_code_hash !== null) {
      const given = Buffer.from(sha256(txCode ?? ''));
      if (!timingSafeEqual(given, Buffer.from(row.tx_code_hash))) return undefined;
    }
    const claimed = await this.db
      .updateTable('issuer_offers')
      .set({ redeemed_at: now })
      .where('id', '=', row.id)
      .where('redeemed_at', 'is', null)
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) return undefined;
    return this.toOffer({ ...row, redeemed_at: now });
  }

  private toOffer(row: OffersTable): StoredOffer {
    return {
      id: row.id,
      configurationIds: JSON.parse(row.configuration_ids) as string[],
      subject: row.subject ?? undefined,
      claims: row.claims ? (JSON.parse(row.claims) as Record<string, unknown>) : undefined,
      preAuthorizedCode: row.code_hash ? this.codeOf(row.id) : undefined,
      txCode: row.tx_code ? (JSON.parse(row.tx_code) as TxCodeSpec) : undefined,
      issuerState: row.issuer_state ?? undefined,
      expiresAt: Number(row.expires_at),
      redeemed: row.redeemed_at !== null,
    };
  }
}

/** The Credential Offer object (§4.1.1) of a stored offer. */
export function credentialOfferOf(
  offer: StoredOffer,
  credentialIssuer: string,
  servers: { preAuthorized: string; authorizationCode: string },
): Record<string, unknown> {
  const grants: Record<string, unknown> = {};
  if (offer.preAuthorizedCode) {
    grants[PRE_AUTHORIZED_GRANT] = {
      'pre-authorized_code': offer.preAuthorizedCode,
      ...(offer.txCode ? { tx_code: offer.txCode } : {}),
      authorization_server: servers.preAuthorized,
    };
  }
  if (offer.issuerState) {
    grants.authorization_code = {
      issuer_state: offer.issuerState,
      authorization_server: servers.authorizationCode,
    };
  }
  return {
    credential_issuer: credentialIssuer,
    credential_configuration_ids: offer.configurationIds,
    grants,
  };
}
