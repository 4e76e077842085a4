import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { MasterKey } from '../../platform/keys/index.js';
import { sessionKey } from './flow-store.js';
import type { PortalTables } from './tables.js';

/**
 * Short-lived sealed records taken once: an issuance waiting for a proof from the browser
 * (`portal_pending`, bound to a session) and a credential behind a one-time link
 * (`portal_retrievals`, for whoever holds the link). One DELETE … RETURNING takes a record, so two
 * instances racing for it cannot both get it.
 */
export class SealedStore<T> {
  constructor(
    private readonly db: Kysely<PortalTables>,
    private readonly masterKey: MasterKey,
    private readonly table: 'portal_pending' | 'portal_retrievals',
    private readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  private context(id: string): string {
    return `${this.table}:${id}`;
  }

  async save(value: T, cookieValue?: string): Promise<string> {
    const id = randomBytes(24).toString('base64url');
    const now = this.now();
    const sealed = this.masterKey.encrypt(Buffer.from(JSON.stringify(value)), this.context(id));
    const row = { id, sealed, created_at: now, expires_at: now + this.ttlMs };
    if (this.table === 'portal_pending') {
      if (!cookieValue) throw new Error('a pending issuance belongs to a session');
      await this.db
        .insertInto('portal_pending')
        .values({ ...row, session_id: sessionKey(cookieValue) })
        .execute();
    } else {
      await this.db.insertInto('portal_retrievals').values(row).execute();
    }
    return id;
  }

  /** Reads without taking (to draw a page); pending records only for their session. */
  async peek(id: string, cookieValue?: string): Promise<T | undefined> {
    let query = this.db
      .selectFrom(this.table)
      .select(['sealed', 'expires_at'])
      .where('id', '=', id)
      .where('expires_at', '>', this.now());
    if (this.table === 'portal_pending') {
      if (!cookieValue) return undefined;
      query = query.where('session_id' as never, '=', sessionKey(cookieValue) as never);
    }
    const row = await query.executeTakeFirst();
    return row ? this.open(id, row.sealed) : undefined;
  }

  /** Takes a record once; undefined when unknown, expired, taken or (pending) of another session. */
  async take(id: string, cookieValue?: string): Promise<T | undefined> {
    let query = this.db.deleteFrom(this.table).where('id', '=', id);
    if (this.table === 'portal_pending') {
      if (!cookieValue) return undefined;
      query = query.where('session_id' as never, '=', sessionKey(cookieValue) as never);
    }
    const row = await query.returning(['sealed', 'expires_at']).executeTakeFirst();
    if (!row || row.expires_at <= this.now()) return undefined;
    return this.open(id, row.sealed);
  }

  private open(id: string, sealed: string): T {
    return JSON.parse(this.masterKey.decrypt(sealed, this.context(id)).toString('utf8')) as T;
  }
}
