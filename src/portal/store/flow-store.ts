import { createHash, randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PortalTables } from './tables.js';

/** What the callback needs to finish an authorization request (RFC 6749 §10.12, RFC 7636, OIDC nonce). */
export interface FlowState {
  state: string;
  codeVerifier: string;
  nonce: string;
  configurationId: string;
  /** The credential issuer; undefined means the primary issuer. */
  issuer?: string;
  holder?: HolderMode;
  /** Sealed private JWK of the flow's DPoP key. */
  dpopKey?: string;
}

/** Who holds the key the credential is bound to. */
export type HolderMode = 'guest' | 'browser';

export interface FlowLifetimes {
  /** A browser session (sliding: each new flow extends it). */
  sessionMs: number;
  /** One authorization request: long enough to log in, short enough to be useless when stolen. */
  flowMs: number;
}

export const DEFAULT_LIFETIMES: FlowLifetimes = { sessionMs: 60 * 60_000, flowMs: 10 * 60_000 };

/** 256 random bits, base64url: state, verifier (RFC 7636 §4.1: 43 characters) and nonce alike. */
export function randomToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The table key of a session: its cookie value hashed, so the table alone opens no session. */
export function sessionKey(cookieValue: string): string {
  return createHash('sha256').update(cookieValue).digest('hex');
}

/**
 * Sessions and the authorization requests in flight, in the portal's database, so that any
 * portal instance can finish a flow another one started.
 */
export class FlowStore {
  constructor(
    private readonly db: Kysely<PortalTables>,
    private readonly lifetimes: FlowLifetimes = DEFAULT_LIFETIMES,
    private readonly now: () => number = Date.now,
  ) {}

  /** The session of a cookie value when it exists and has not expired. */
  async findSession(cookieValue: string | undefined): Promise<string | undefined> {
    if (!cookieValue) return undefined;
    const row = await this.db
      .selectFrom('portal_sessions')
      .select('id')
      .where('id', '=', sessionKey(cookieValue))
      .where('expires_at', '>', this.now())
      .executeTakeFirst();
    return row ? cookieValue : undefined;
  }

  /** Reuses a live session (extending it) or creates one; returns the cookie value to set. */
  async ensureSession(cookieValue: string | undefined): Promise<string> {
    const now = this.now();
    const expires = now + this.lifetimes.sessionMs;
    const existing = await this.findSession(cookieValue);
    if (existing) {
      await this.db
        .updateTable('portal_sessions')
        .set({ expires_at: expires })
        .where('id', '=', sessionKey(existing))
        .execute();
      return existing;
    }
    await this.purgeExpired();
    const fresh = randomToken();
    await this.db
      .insertInto('portal_sessions')
      .values({ id: sessionKey(fresh), created_at: now, expires_at: expires })
      .execute();
    return fresh;
  }

  /** Starts an authorization request for a session: fresh, independent state, verifier and nonce. */
  async beginFlow(
    cookieValue: string,
    configurationId: string,
    extra: { issuer?: string; holder?: HolderMode; dpopKey?: string } = {},
  ): Promise<FlowState> {
    const now = this.now();
    const flow: FlowState = {
      state: randomToken(),
      codeVerifier: randomToken(),
      nonce: randomToken(),
      configurationId,
      ...extra,
    };
    await this.db
      .insertInto('portal_flows')
      .values({
        state: flow.state,
        session_id: sessionKey(cookieValue),
        code_verifier: flow.codeVerifier,
        nonce: flow.nonce,
        configuration_id: configurationId,
        issuer: extra.issuer ?? null,
        holder: extra.holder ?? null,
        dpop_key: extra.dpopKey ?? null,
        created_at: now,
        expires_at: now + this.lifetimes.flowMs,
      })
      .execute();
    return flow;
  }

  /**
   * Takes the flow of `state` if it belongs to this session: one delete, so a state is used once even
   * with several instances racing. Another session's state is left alone (and not revealed).
   */
  async consumeFlow(cookieValue: string | undefined, state: string): Promise<FlowState | undefined> {
    if (!cookieValue) return undefined;
    const row = await this.db
      .deleteFrom('portal_flows')
      .where('state', '=', state)
      .where('session_id', '=', sessionKey(cookieValue))
      .returningAll()
      .executeTakeFirst();
    if (!row || row.expires_at <= this.now()) return undefined;
    return {
      state: row.state,
      codeVerifier: row.code_verifier,
      nonce: row.nonce,
      configurationId: row.configuration_id,
      ...(row.issuer ? { issuer: row.issuer } : {}),
      ...(row.holder === 'browser' || row.holder === 'guest' ? { holder: row.holder } : {}),
      ...(row.dpop_key ? { dpopKey: row.dpop_key } : {}),
    };
  }

  /** Deletes expired sessions, flows and credentials (called when sessions are created). */
  async purgeExpired(): Promise<void> {
    const now = this.now();
    await this.db.deleteFrom('portal_flows').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('portal_credentials').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('portal_pending').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('portal_retrievals').where('expires_at', '<=', now).execute();
    await this.db.deleteFrom('portal_sessions').where('expires_at', '<=', now).execute();
  }
}
