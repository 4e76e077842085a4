import type { Kysely } from 'kysely';
import { VC_JWT_TYP } from '../../credentials/formats/vc-jwt/index.js';
import {
  encodeBitstringStatusList,
  encodeTokenStatusList,
  STATUS_LIST_JWT_MEDIA_TYPE,
  STATUS_LIST_JWT_TYP,
} from '../../credentials/status/index.js';
import { type SigningKey, signCompactJws } from '../../platform/keys/index.js';
import { statusListUrl } from './service.js';
import type { StatusListKind, StatusTables } from './tables.js';

/** The key that signs list tokens now, with its certificate chain (DER, leaf first, no trust anchor). */
export type StatusListSigner = () => Promise<{ key: SigningKey; certificates: readonly Buffer[] }>;

/** Seconds a served list may be cached (Cache-Control max-age, Token Status List `ttl`). */
export const STATUS_LIST_MAX_AGE = 5;
/** Lifetime of a signed list token: a verifier never relies on a copy older than this. */
const TOKEN_LIFETIME = 86400;

export interface PublishedList {
  body: string;
  contentType: string;
  etag: string;
}

/** Signs a Bitstring Status List credential with a Data Integrity proof (for ldp_vc verifiers). */
export type LdpListSigner = (credential: Record<string, unknown>) => Promise<Record<string, unknown>>;

/** A bitstring list in both securing mechanisms: Data Integrity JSON-LD and a JOSE `vc+jwt`. */
interface BitstringForms {
  ldp?: PublishedList;
  jwt: PublishedList;
}

/**
 * Builds, signs and caches status lists. Each request reads the list's version (one indexed row);
 * the list is rebuilt and signed again only when its version moved, so a status change is served
 * at once while an unchanged list costs no signing.
 */
export class StatusListPublisher {
  private readonly cache = new Map<
    string,
    { version: number; kid: string; signedAt: number; forms: BitstringForms }
  >();

  constructor(
    private readonly db: Kysely<StatusTables>,
    private readonly key: SigningKey,
    private readonly issuer: string,
    private readonly options: {
      ldpSigner?: LdpListSigner;
      /** `issuer` of bitstring list credentials: the did:web the W3C credentials name (default the URL). */
      w3cIssuer?: string;
      /** Signs list tokens, with the key's certificate chain for `x5c` (default: `key`, no `x5c`). */
      tokenSigner?: StatusListSigner;
      clock?: () => number;
    } = {},
  ) {}

  /**
   * The served list. A bitstring list is a Data Integrity credential by default (what ldp_vc
   * verifiers such as @digitalbazaar/vc-bitstring-status-list read) and a `vc+jwt` when asked
   * (`prefer: 'jwt'`, from `Accept: application/vc+jwt`) or when no Data Integrity signer is set.
   */
  async get(
    kind: StatusListKind,
    listId: string,
    prefer: 'ldp' | 'jwt' = 'ldp',
  ): Promise<PublishedList | undefined> {
    const forms = await this.forms(kind, listId);
    if (!forms) return undefined;
    return prefer === 'ldp' && forms.ldp ? forms.ldp : forms.jwt;
  }

  private async forms(kind: StatusListKind, listId: string): Promise<BitstringForms | undefined> {
    const row = await this.db
      .selectFrom('issuer_status_lists')
      .selectAll()
      .where('id', '=', listId)
      .where('kind', '=', kind)
      .executeTakeFirst();
    if (!row) return undefined;
    const version = Number(row.version);
    const cached = this.cache.get(listId);
    const nowMs = (this.options.clock ?? Date.now)();
    // Signed again when the list changed, when the signing key was rotated (the new key takes over,
    // so the retired one can drop out), and before half the token's lifetime has passed.
    if (
      cached &&
      cached.version === version &&
      cached.kid === this.key.kid &&
      nowMs - cached.signedAt < (TOKEN_LIFETIME * 1000) / 2
    )
      return cached.forms;
    // Only set entries are read: a fresh list of 131,072 entries is mostly zeros.
    const entries = await this.db
      .selectFrom('issuer_status_entries')
      .select(['idx', 'status'])
      .where('list_id', '=', listId)
      .where('status', '!=', 0)
      .execute();
    const uri = statusListUrl(this.issuer, kind, listId);
    const now = Math.floor(nowMs / 1000);
    const signingKid = this.key.kid;
    const etag = `"${listId}-${version}"`;
    let forms: BitstringForms;
    if (kind === 'token') {
      // draft-ietf-oauth-status-list §5.1: typ statuslist+jwt, sub = the list's URI; HAIP 1.0 §7:
      // the key's certificate chain in `x5c` (base64 DER, leaf first, RFC 7515 §4.1.6) once imported.
      const { key, certificates } = this.options.tokenSigner
        ? await this.options.tokenSigner()
        : { key: this.key, certificates: [] };
      const jwt = await signCompactJws(
        key,
        {
          typ: STATUS_LIST_JWT_TYP,
          ...(certificates.length ? { x5c: certificates.map((der) => der.toString('base64')) } : {}),
        },
        {
          sub: uri,
          iss: this.issuer,
          iat: now,
          exp: now + TOKEN_LIFETIME,
          ttl: STATUS_LIST_MAX_AGE,
          status_list: { bits: row.bits, lst: encodeTokenStatusList(row.size, row.bits, entries) },
        },
      );
      forms = { jwt: { body: jwt, contentType: STATUS_LIST_JWT_MEDIA_TYPE, etag } };
    } else {
      // W3C Bitstring Status List §2.2, secured as a JWT (VC-JOSE-COSE §3.1.1, typ vc+jwt).
      const credential = {
        '@context': ['https://www.w3.org/ns/credentials/v2'],
        id: uri,
        type: ['VerifiableCredential', 'BitstringStatusListCredential'],
        issuer: this.options.w3cIssuer ?? this.issuer,
        validFrom: new Date(now * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        credentialSubject: {
          id: `${uri}#list`,
          type: 'BitstringStatusList',
          statusPurpose: row.purpose,
          encodedList: await encodeBitstringStatusList(row.size, entries),
          ttl: STATUS_LIST_MAX_AGE * 1000,
        },
      };
      // The kid as a DID URL when the issuer is a DID (its document lists this key).
      const kid = this.options.w3cIssuer?.startsWith('did:')
        ? `${this.options.w3cIssuer}#${this.key.kid}`
        : this.key.kid;
      const jwt = await signCompactJws(this.key, { typ: VC_JWT_TYP, cty: 'vc', kid }, credential);
      forms = { jwt: { body: jwt, contentType: 'application/vc+jwt', etag: `"${listId}-${version}-jwt"` } };
      if (this.options.ldpSigner) {
        const signed = await this.options.ldpSigner(credential);
        forms.ldp = {
          body: JSON.stringify(signed),
          contentType: 'application/vc',
          etag: `"${listId}-${version}-ldp"`,
        };
      }
    }
    this.cache.set(listId, { version, kid: signingKid, signedAt: nowMs, forms });
    return forms;
  }
}
