import type { Kysely } from 'kysely';
import { type SigningKey, signCompactJws } from '../../platform/keys/index.js';
import { encodeBitstringStatusList, encodeTokenStatusList } from './encode.js';
import { statusListUrl } from './service.js';
import type { StatusListKind, StatusTables } from './tables.js';

/** Seconds a served list may be cached (Cache-Control max-age, Token Status List `ttl`). */
export const STATUS_LIST_MAX_AGE = 5;
/** Lifetime of a signed list token: a verifier never relies on a copy older than this. */
const TOKEN_LIFETIME = 86400;

export interface PublishedList {
  body: string;
  contentType: string;
  etag: string;
}

/**
 * Builds, signs and caches status lists. Each request reads the list's version (one indexed row);
 * the list is rebuilt and signed again only when its version moved, so a status change is served
 * at once while an unchanged list costs no signing.
 */
export class StatusListPublisher {
  private readonly cache = new Map<string, { version: number; list: PublishedList }>();

  constructor(
    private readonly db: Kysely<StatusTables>,
    private readonly key: SigningKey,
    private readonly issuer: string,
    private readonly clock: () => number = Date.now,
  ) {}

  async get(kind: StatusListKind, listId: string): Promise<PublishedList | undefined> {
    const row = await this.db
      .selectFrom('issuer_status_lists')
      .selectAll()
      .where('id', '=', listId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    if (!row) return undefined;
    const version = Number(row.version);
    const cached = this.cache.get(listId);
    if (cached && cached.version === version) return cached.list;
    // Only set entries are read: a fresh list of 131,072 entries is mostly zeros.
    const entries = await this.db
      .selectFrom('issuer_status_entries')
      .select(['idx', 'status'])
      .where('list_id', '=', listId)
      .where('status', '!=', 0)
      .execute();
    const uri = statusListUrl(this.issuer, kind, listId);
    const now = Math.floor(this.clock() / 1000);
    let list: PublishedList;
    if (kind === 'token') {
      // draft-ietf-oauth-status-list §5.1: typ statuslist+jwt, sub = the list's URI.
      const jwt = await signCompactJws(
        this.key,
        { typ: 'statuslist+jwt' },
        {
          sub: uri,
          iss: this.issuer,
          iat: now,
          exp: now + TOKEN_LIFETIME,
          ttl: STATUS_LIST_MAX_AGE,
          status_list: { bits: row.bits, lst: encodeTokenStatusList(row.size, row.bits, entries) },
        },
      );
      list = { body: jwt, contentType: 'application/statuslist+jwt', etag: `"${listId}-${version}"` };
    } else {
      // W3C Bitstring Status List §2.2, secured as a JWT (VC-JOSE-COSE §3.1.1, typ vc+jwt).
      const credential = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: uri,
        type: ['VerifiableCredential', 'BitstringStatusListCredential'],
        issuer: this.issuer,
        validFrom: new Date(now * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        credentialSubject: {
          id: `${uri}#list`,
          type: 'BitstringStatusList',
          statusPurpose: row.purpose,
          encodedList: encodeBitstringStatusList(row.size, entries),
          ttl: STATUS_LIST_MAX_AGE * 1000,
        },
      };
      const jwt = await signCompactJws(this.key, { typ: 'vc+jwt', cty: 'vc' }, credential);
      list = { body: jwt, contentType: 'application/vc+jwt', etag: `"${listId}-${version}"` };
    }
    this.cache.set(listId, { version, list });
    return list;
  }
}
