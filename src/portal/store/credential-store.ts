import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { MasterKey } from '../../platform/keys/index.js';
import type { ClaimMeta, Display } from '../catalog/issuer-metadata.js';
import { type HolderMode, sessionKey } from './flow-store.js';
import type { PortalTables } from './tables.js';

/** What the result page shows and the download serves. */
export interface ObtainedCredential {
  configurationId: string;
  /** The credential as issued (compact SD-JWT VC with its disclosures). */
  credential: string;
  /** Media type of `credential` for the download. */
  mediaType: string;
  /** The credential format identifier (`dc+sd-jwt` …). */
  format: string;
  typeName: string;
  issuerName: string;
  /** Display metadata, so the card can be drawn in any language later. */
  typeDisplay: Display[];
  issuerDisplay: Display[];
  claimsMeta: ClaimMeta[];
  /** Disclosed claims, verified. */
  claims: Record<string, unknown>;
  labels: Record<string, string>;
  /** SD-JWT: names of the claims that came from disclosures (selectively disclosable). */
  selectable: string[];
  holder: HolderMode;
  /** The credential issuer identifier. */
  issuer?: string;
  /** The person's subject at the sign-in service (the ID token's `sub`), for a wallet offer. */
  subject?: string;
  /** `iat` / `exp` of the credential, epoch seconds. */
  issuedAt: number | undefined;
  expiresAt: number | undefined;
}

/** Guest mode keeps a credential only long enough to look at it and download it. */
export const DEFAULT_CREDENTIAL_TTL_MS = 15 * 60_000;

/**
 * Credentials obtained by a session, sealed with the master key (they carry personal data) and
 * readable only with the cookie of the session that obtained them.
 */
export class CredentialStore {
  constructor(
    private readonly db: Kysely<PortalTables>,
    private readonly masterKey: MasterKey,
    private readonly ttlMs: number = DEFAULT_CREDENTIAL_TTL_MS,
    private readonly now: () => number = Date.now,
  ) {}

  async save(cookieValue: string, obtained: ObtainedCredential): Promise<string> {
    const id = randomBytes(16).toString('base64url');
    const now = this.now();
    await this.db
      .insertInto('portal_credentials')
      .values({
        id,
        session_id: sessionKey(cookieValue),
        configuration_id: obtained.configurationId,
        sealed: this.masterKey.encrypt(Buffer.from(JSON.stringify(obtained)), `portal-credential:${id}`),
        created_at: now,
        expires_at: now + this.ttlMs,
      })
      .execute();
    return id;
  }

  /** The credential when it exists, has not expired and belongs to this session; else undefined. */
  async find(cookieValue: string | undefined, id: string): Promise<ObtainedCredential | undefined> {
    if (!cookieValue) return undefined;
    const row = await this.db
      .selectFrom('portal_credentials')
      .selectAll()
      .where('id', '=', id)
      .where('session_id', '=', sessionKey(cookieValue))
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    if (!row) return undefined;
    const plain = this.masterKey.decrypt(row.sealed, `portal-credential:${id}`);
    return JSON.parse(plain.toString('utf8')) as ObtainedCredential;
  }
}
