import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import type { KeyStore, KeyTables } from '../../platform/keys/index.js';
import { type AuditTables, recordAudit } from '../admin/audit.js';

/** The purpose under which authz's signing keys live in the (shared) signing_keys table. */
export const AUTHZ_KEY_PURPOSE = 'authz';
const ALG = 'ES256';
/** Leeway for verifiers' clock skew on top of the longest token lifetime. */
const SKEW_SECONDS = 60;

/**
 * How long a retired key stays published: the longest lifetime of anything it signed (access and
 * ID tokens, client_credentials tokens, signed userinfo) plus clock skew. After that no valid
 * token can carry its kid, so verifiers no longer need it.
 */
export function retentionSeconds(tokenTtls: number[]): number {
  return Math.max(...tokenTtls) + SKEW_SECONDS;
}

export interface SigningKeySet {
  /** The kid that signs (the newest active key). */
  activeKid: string;
  /** Private JWKs for oidc-provider: the active key first, then retired keys still published. */
  privateJwks: JWK[];
  /** Epoch ms when the first published retired key may leave the JWKS (none: undefined). */
  retiredUntil?: number;
}

/**
 * The keys an instance loads: the newest active key signs; keys retired less than `retention`
 * seconds ago stay in the JWKS so that tokens they signed still verify. Creates the first key.
 */
export async function loadSigningKeys(
  db: Kysely<KeyTables>,
  keyStore: KeyStore,
  retention: number,
  now = Date.now(),
): Promise<SigningKeySet> {
  const active = await keyStore.ensureActive(AUTHZ_KEY_PURPOSE, ALG);
  const rows = await db
    .selectFrom('signing_keys')
    .select(['kid', 'status', 'retired_at'])
    .where('purpose', '=', AUTHZ_KEY_PURPOSE)
    .execute();
  const windowMs = retention * 1000;
  const kept = rows.filter((row) => row.status === 'active' || Number(row.retired_at) > now - windowMs);
  const published = new Set(kept.map((row) => row.kid));
  const retiredEnds = kept
    .filter((row) => row.status !== 'active')
    .map((row) => Number(row.retired_at) + windowMs);
  const keys = (await keyStore.all(AUTHZ_KEY_PURPOSE)).filter((k) => published.has(k.kid));
  const ordered = [...keys.filter((k) => k.kid === active.kid), ...keys.filter((k) => k.kid !== active.kid)];
  return {
    activeKid: active.kid,
    privateJwks: ordered.map((k) => k.exportPrivateJwk()),
    retiredUntil: retiredEnds.length ? Math.min(...retiredEnds) : undefined,
  };
}

/** The kid of the newest active key (a cheap query, polled by running instances). */
export async function newestActiveKid(db: Kysely<KeyTables>): Promise<string | undefined> {
  const row = await db
    .selectFrom('signing_keys')
    .select('kid')
    .where('purpose', '=', AUTHZ_KEY_PURPOSE)
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .orderBy('kid')
    .limit(1)
    .executeTakeFirst();
  return row?.kid;
}

/**
 * `attesta keys rotate authz`: adds a new active key and retires the previous ones (retired keys
 * stay published for the retention window, see loadSigningKeys). Returns the new kid.
 */
export async function rotateSigningKey(
  db: Kysely<KeyTables & AuditTables>,
  keyStore: KeyStore,
  actor: string,
): Promise<{ kid: string; retired: string[] }> {
  const previous = await db
    .selectFrom('signing_keys')
    .select('kid')
    .where('purpose', '=', AUTHZ_KEY_PURPOSE)
    .where('status', '=', 'active')
    .execute();
  const key = await keyStore.create(AUTHZ_KEY_PURPOSE, ALG);
  const now = Date.now();
  const retired = previous.map((row) => row.kid);
  if (retired.length) {
    await db
      .updateTable('signing_keys')
      .set({ status: 'retired', retired_at: now })
      .where('purpose', '=', AUTHZ_KEY_PURPOSE)
      .where('kid', 'in', retired)
      .execute();
  }
  await recordAudit(db, { actor, action: 'key.rotate', target: key.kid, detail: { retired } }, now);
  return { kid: key.kid, retired };
}
