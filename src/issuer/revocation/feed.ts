import * as client from 'openid-client';
import { ProtocolError } from '../../platform/errors.js';
import type { TokenCheck } from '../access-guard.js';
import { invalidToken } from '../access-token.js';

/**
 * Grant revocation at the issuer (docs/security.md, "Grant revocation"). Access tokens from authz are
 * JWTs checked here without calling authz, so a grant authz revokes (a replayed code or refresh
 * token, logout, an administrator) would keep its tokens alive for their whole lifetime (RFC 6749
 * §4.1.2 asks that they stop). authz lists revoked grants in a feed; each issuer instance reads it
 * every `intervalSeconds` into memory, and the token check answers from that set: no call to authz
 * per request. The access token names its grant in the `grant_id` claim.
 *
 * Fail-safe: when the feed cannot be read for `staleAfterSeconds`, tokens of that server that name a
 * grant are refused with 503 + Retry-After until a read succeeds, so a revoked grant's token is never
 * accepted longer than that after the revocation, whatever happens to the network.
 */

/** authz's metadata member naming the feed (its src/authz/protocol/grant-revocation.ts). */
const FEED_METADATA = 'grant_revocation_feed_endpoint';
/** The access-token claim naming the grant. */
const GRANT_ID_CLAIM = 'grant_id';
/** The scope and audience (RFC 8707) of the token that reads the feed. */
const FEED_SCOPE = 'authz:revocations';
const feedAudience = (authorizationServer: string) => `${authorizationServer}/admin`;
/** A read of the feed or of a token gives up after this long (the next one starts on schedule). */
const READ_TIMEOUT_MS = 5000;
/** A token is renewed this long before it expires. */
const RENEW_BEFORE_MS = 30_000;
/** Pages read in one poll at most (10,000 grants each); the rest comes on the next poll. */
const MAX_PAGES = 10;
/**
 * A request that finds the list stale reads the feed itself (one read shared by every such request), at
 * most this often: a new instance serves at once instead of refusing until its first scheduled read.
 */
const ON_DEMAND_MS = 1000;
/** Grant ids are kept bounded: authz's are 21 characters. */
const MAX_GRANT_ID = 255;

export interface RevocationFeedOptions {
  /** The authorization server's issuer identifier (the `iss` of its tokens). */
  authorizationServer: string;
  clientId: string;
  /** private_key_jwt through the issuer's key interface. */
  clientAuth: client.ClientAuth;
  intervalSeconds: number;
  staleAfterSeconds: number;
  /** Plain-http authorization server allowed (development mode only). */
  insecure: boolean;
  log: { warn(object: object, message: string): void; info(object: object, message: string): void };
  now?: () => number;
}

interface FeedPage {
  grants: { id: string; exp: number }[];
  cursor: string;
  /** A full page: read again from `cursor` at once. */
  more?: boolean;
}

function isFeedPage(value: unknown): value is FeedPage {
  const page = value as FeedPage;
  return (
    typeof page === 'object' &&
    page !== null &&
    typeof page.cursor === 'string' &&
    /^[0-9]{1,15}$/.test(page.cursor) &&
    Array.isArray(page.grants) &&
    page.grants.every(
      (g) =>
        typeof g?.id === 'string' && g.id.length <= MAX_GRANT_ID && typeof g.exp === 'number' && g.exp > 0,
    )
  );
}

export class GrantRevocationFeed {
  /** Revoked grant id → epoch ms after which no token of it is valid (then it is forgotten). */
  private readonly revoked = new Map<string, number>();
  private cursor = '0';
  private lastRead = Number.NEGATIVE_INFINITY;
  private lastAttempt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private token: { value: string; expiresAt: number } | undefined;
  private configuration: Promise<client.Configuration> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private failing = false;
  private readonly now: () => number;

  constructor(private readonly options: RevocationFeedOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Reads the feed now and then every `intervalSeconds` (each read scheduled after the last ends). */
  start(): Promise<void> {
    this.stopped = false;
    const loop = async () => {
      await this.refresh();
      if (!this.stopped) {
        this.timer = setTimeout(loop, this.options.intervalSeconds * 1000);
        this.timer.unref();
      }
    };
    return loop();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  /** Whether the last successful read is recent enough for tokens to be accepted. */
  get fresh(): boolean {
    return this.now() - this.lastRead <= this.options.staleAfterSeconds * 1000;
  }

  /** The token check (access-guard.ts `checks`): from memory, never a call to authz. */
  readonly check: TokenCheck = async (token) => {
    if (token.issuer !== this.options.authorizationServer) return;
    const grantId = token.payload[GRANT_ID_CLAIM];
    if (typeof grantId !== 'string') return;
    if (this.revoked.has(grantId)) throw invalidToken('the grant of this access token was revoked');
    if (this.fresh) return;
    // Stale (a new instance, or authz unreachable): one read now, shared, then decide.
    if (this.inflight || this.now() - this.lastAttempt >= ON_DEMAND_MS) await this.refresh();
    if (this.revoked.has(grantId)) throw invalidToken('the grant of this access token was revoked');
    if (!this.fresh) {
      throw new ProtocolError(503, 'temporarily_unavailable', 'grant revocations cannot be checked now', {
        'retry-after': String(this.options.intervalSeconds),
      });
    }
  };

  /** One read at a time: a read already under way is joined. */
  refresh(): Promise<void> {
    if (!this.inflight) {
      this.inflight = this.poll().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  /** One read: every page from the cursor on, then expired grants are forgotten. Never throws. */
  private async poll(): Promise<void> {
    this.lastAttempt = this.now();
    try {
      let more = true;
      for (let page = 0; more && page < MAX_PAGES; page++) {
        const result = await this.readPage();
        for (const grant of result.grants) this.revoked.set(grant.id, grant.exp * 1000);
        this.cursor = result.cursor;
        more = result.more === true;
      }
      // Not caught up after MAX_PAGES pages: not fresh yet, the next poll goes on from the cursor.
      if (more) throw new Error('grant revocation feed backlog not read to its end');
      this.lastRead = this.now();
      if (this.failing) this.options.log.info({}, 'grant revocation feed read again');
      this.failing = false;
    } catch (error) {
      // A failed read is logged once per outage; tokens are refused once it lasts staleAfterSeconds.
      if (!this.failing) this.options.log.warn({ err: error }, 'grant revocation feed cannot be read');
      this.failing = true;
    }
    const now = this.now();
    for (const [id, expiresAt] of this.revoked) if (expiresAt <= now) this.revoked.delete(id);
  }

  private async readPage(): Promise<FeedPage> {
    const configuration = await this.discover();
    const endpoint = configuration.serverMetadata()[FEED_METADATA];
    if (typeof endpoint !== 'string' || !URL.canParse(endpoint)) {
      throw new Error(`the authorization server's metadata has no ${FEED_METADATA}`);
    }
    const url = new URL(endpoint);
    url.searchParams.set('since', this.cursor);
    const response = await fetch(url, {
      headers: {
        authorization: `Bearer ${await this.accessToken(configuration)}`,
        accept: 'application/json',
      },
      redirect: 'error',
      signal: AbortSignal.timeout(READ_TIMEOUT_MS),
    });
    if (response.status === 401) this.token = undefined; // a new token next time
    if (!response.ok) throw new Error(`grant revocation feed answered ${response.status}`);
    const body: unknown = await response.json();
    if (!isFeedPage(body)) throw new Error('grant revocation feed answered an unexpected document');
    return body;
  }

  private discover(): Promise<client.Configuration> {
    if (!this.configuration) {
      const pending = client.discovery(
        new URL(this.options.authorizationServer),
        this.options.clientId,
        { token_endpoint_auth_method: 'private_key_jwt' },
        this.options.clientAuth,
        {
          execute: this.options.insecure ? [client.allowInsecureRequests] : [],
          timeout: READ_TIMEOUT_MS / 1000,
        },
      );
      // A failed discovery is tried again on the next poll.
      pending.catch(() => {
        if (this.configuration === pending) this.configuration = undefined;
      });
      this.configuration = pending;
    }
    return this.configuration;
  }

  private async accessToken(configuration: client.Configuration): Promise<string> {
    if (this.token && this.token.expiresAt - RENEW_BEFORE_MS > this.now()) return this.token.value;
    const response = await client.clientCredentialsGrant(configuration, {
      scope: FEED_SCOPE,
      resource: feedAudience(this.options.authorizationServer),
    });
    const expiresIn = typeof response.expires_in === 'number' ? response.expires_in : 60;
    this.token = { value: response.access_token, expiresAt: this.now() + expiresIn * 1000 };
    return response.access_token;
  }
}
