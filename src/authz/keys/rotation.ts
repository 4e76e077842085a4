import type { Kysely } from 'kysely';
import { KeyStore, type KeyTables, type MasterKey } from '../../platform/keys/index.js';
import { type AuditTables, recordAudit } from '../admin/audit.js';

/** The purpose under which authz's signing keys live in the (shared) signing_keys table. */
export const AUTHZ_KEY_PURPOSE = 'authz';
export const AUTHZ_KEY_ALG = 'ES256' as const;
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

/** authz's key store: a retired key stays published for the retention window. */
export function authzKeyStore(db: Kysely<KeyTables>, masterKey: MasterKey, retention: number): KeyStore {
  return new KeyStore(db, masterKey, { retentionFloorMs: retention * 1000 });
}

/**
 * `attesta keys rotate authz`: adds the next key, published at once and signing after `leadSeconds`
 * (verifiers that cache the JWKS fetch it meanwhile); the current key signs until then and stays
 * published for the retention window after. With an HSM configured for `authz`, the key is made
 * in the token (or `tokenLabel` references an existing one).
 */
export async function rotateSigningKey(
  db: Kysely<KeyTables & AuditTables>,
  keyStore: KeyStore,
  actor: string,
  options: { leadSeconds?: number; tokenLabel?: string } = {},
): Promise<{ kid: string; activatesAt: number }> {
  const now = Date.now();
  const activatesAt = now + (options.leadSeconds ?? 0) * 1000;
  const previous = await keyStore.signing(AUTHZ_KEY_PURPOSE);
  const key = await keyStore.create(AUTHZ_KEY_PURPOSE, AUTHZ_KEY_ALG, {
    activatesAt,
    ...(options.tokenLabel !== undefined ? { tokenLabel: options.tokenLabel } : {}),
  });
  await recordAudit(
    db,
    { actor, action: 'key.rotate', target: key.kid, detail: { previous: previous?.key.kid, activatesAt } },
    now,
  );
  return { kid: key.kid, activatesAt };
}
