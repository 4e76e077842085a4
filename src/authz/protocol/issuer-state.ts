import type { Kysely, Migration } from 'kysely';
import { errors, type KoaContextWithOIDC, type Provider } from 'oidc-provider';
import type { Commit } from '../../platform/db/index.js';
import { prepareStatement } from '../../platform/db/prepared.js';
import { beforeAnswer } from '../storage/request-writes.js';

/**
 * OpenID4VCI 1.0 §5.1.3: a wallet answering a credential offer with an `authorization_code` grant
 * sends the offer's `issuer_state` in its authorization request; the issuer needs it back to tie
 * the issuance to that offer. authz accepts it as an extra authorization parameter, keeps it with the
 * grant and puts it into JWT access tokens for the issuer as the `issuer_state` claim.
 *
 * Storage: oidc-provider persists only a fixed set of fields for its models (the Grant and the
 * AuthorizationCode drop unknown properties), so the value lives in a small table of its own,
 * keyed by grant id, with the grant's lifetime. It is written when an authorization request ends
 * with a code (a Koa post-middleware on the authorization and resume routes, so it is written
 * whether or not a consent page was shown) and read when an access token is minted from that grant
 * (authorization code or refresh token). Every authorization of a grant rewrites or clears the
 * row: the latest authorization request of a grant decides, and a request without `issuer_state`
 * never inherits an earlier one. Being in the database, it holds across instances.
 */

/** Unreserved URI characters only (RFC 3986 §2.3), bounded; the issuer's own values are 32 long. */
const ISSUER_STATE = /^[A-Za-z0-9._~-]{1,128}$/;

export interface IssuerStatesTable {
  grant_id: string;
  issuer_state: string;
  /** Epoch ms. */
  expires_at: number;
}

export interface IssuerStateTables {
  authz_issuer_states: IssuerStatesTable;
}

export const issuerStatesMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('authz_issuer_states')
      .addColumn('grant_id', 'varchar(255)', (c) => c.primaryKey())
      .addColumn('issuer_state', 'varchar(128)', (c) => c.notNull())
      .addColumn('expires_at', 'bigint', (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('authz_issuer_states_expires_at')
      .on('authz_issuer_states')
      .column('expires_at')
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('authz_issuer_states').execute();
  },
};

const SET = prepareStatement(
  'insert into "authz_issuer_states" ("grant_id", "issuer_state", "expires_at") values ($1, $2, $3) ' +
    'on conflict ("grant_id") do update set "issuer_state" = excluded."issuer_state", "expires_at" = excluded."expires_at"',
);
const CLEAR = prepareStatement('delete from "authz_issuer_states" where "grant_id" = $1');
const FIND = prepareStatement<{ issuer_state: string }>(
  'select "issuer_state" from "authz_issuer_states" where "grant_id" = $1 and "expires_at" > $2',
  { readOutsideUnits: true },
);

export class IssuerStateStore {
  constructor(
    private readonly db: Kysely<IssuerStateTables>,
    /** How long a row is kept: the Grant's lifetime, in seconds. */
    private readonly ttlSeconds: number,
    private readonly now: () => number = Date.now,
    /** Runs each write (group-committed on SQLite); without it, each statement commits on its own. */
    private readonly commit?: Commit,
  ) {}

  /**
   * Sets (or, without a value, clears) the issuer_state of a grant: one prepared statement, in a
   * unit of the group commit when there is one (a sign-in's other writes share its commit).
   */
  async save(grantId: string, issuerState: string | undefined): Promise<void> {
    const expiresAt = this.now() + this.ttlSeconds * 1000;
    const write = (db: Kysely<unknown>) =>
      issuerState === undefined ? CLEAR.run(db, [grantId]) : SET.run(db, [grantId, issuerState, expiresAt]);
    await (this.commit ? this.commit(write) : write(this.db as Kysely<unknown>));
  }

  async find(grantId: string): Promise<string | undefined> {
    const { rows } = await FIND.run(this.db as Kysely<unknown>, [grantId, this.now()]);
    return rows[0]?.issuer_state;
  }

  async purgeExpired(): Promise<number> {
    const result = await this.db
      .deleteFrom('authz_issuer_states')
      .where('expires_at', '<', this.now())
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }
}

/**
 * oidc-provider's `extraParams` entry: the parameter is recognised at the authorization and PAR
 * endpoints (and so travels in the interaction and the request object); a malformed value is
 * refused with `invalid_request` (the description never repeats the value).
 */
export const issuerStateParam = {
  async issuer_state(_ctx: unknown, value: unknown) {
    if (value === undefined) return;
    if (typeof value !== 'string' || !ISSUER_STATE.test(value))
      throw new errors.InvalidRequest('issuer_state is malformed');
  },
};

/** What the post-middleware reads from oidc-provider's context (not in our narrow typings). */
interface AuthorizationOutcome {
  route?: string;
  params?: Record<string, unknown>;
  entities?: { AuthorizationCode?: { grantId?: string } };
}

/** Remembers the request's issuer_state with the grant once the authorization endpoint issued a code. */
export function rememberIssuerState(provider: Provider, store: IssuerStateStore): void {
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const oidc = ctx.oidc as AuthorizationOutcome | undefined;
    if (oidc?.route !== 'authorization' && oidc?.route !== 'resume') return;
    const grantId = oidc.entities?.AuthorizationCode?.grantId;
    if (!grantId) return;
    const value = oidc.params?.issuer_state;
    // Committed before the answer, with the request's other writes (storage/request-writes.ts).
    await beforeAnswer('IssuerState', store.save(grantId, typeof value === 'string' ? value : undefined));
  });
}

interface TokenForClaims {
  kind?: string;
  grantId?: string;
  aud?: string | string[];
}

/**
 * oidc-provider's `extraTokenClaims`: `issuer_state` only in access tokens whose audience is the
 * credential issuer (its 1.0 and draft-13 identifiers), never in tokens for other resources.
 */
export function issuerStateClaims(store: IssuerStateStore, issuerAudiences: string[]) {
  const audiences = new Set(issuerAudiences);
  return async (_ctx: unknown, token: TokenForClaims): Promise<Record<string, unknown> | undefined> => {
    if (token.kind !== 'AccessToken' || !token.grantId) return undefined;
    const aud = Array.isArray(token.aud) ? token.aud : [token.aud];
    if (!aud.some((a) => a !== undefined && audiences.has(a))) return undefined;
    const issuerState = await store.find(token.grantId);
    return issuerState ? { issuer_state: issuerState } : undefined;
  };
}
