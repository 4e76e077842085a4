import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { guardAdminScope } from '../../platform/audit/admin-guard.js';
import type { RefusalCounter } from '../../platform/audit/refusals.js';
import type { Config } from '../../platform/config/index.js';
import type { KeyStore } from '../../platform/keys/index.js';
import { adminAuthenticator } from '../admin/auth.js';
import type { ClientStore } from '../clients/store.js';
import { REVOCATIONS_SCOPE } from '../resources.js';
import type { RevokedGrants } from '../storage/revoked-grants.js';

/**
 * Grant revocation reaching resource servers that verify JWT access tokens locally (docs/security.md,
 * "Grant revocation"). Every access token names its grant in the `grant_id` claim; authz lists the
 * grants it revokes (storage/revoked-grants.ts) and serves them at `GET /revocations/grants` to
 * clients holding the `authz:revocations` scope; the issuer polls that feed (src/issuer/revocation/).
 */

/** The claim of an access token naming the grant it was minted from (a private claim, RFC 7519 §4.3). */
export const GRANT_ID_CLAIM = 'grant_id';

/** The revocation feed's path on authz. */
export const REVOCATION_FEED_PATH = '/revocations/grants';

/** The member of authz's metadata (OIDC Discovery, RFC 8414 §2 allows more) naming the feed's URL. */
export const REVOCATION_FEED_METADATA = 'grant_revocation_feed_endpoint';

type TokenClaims = (ctx: unknown, token: { kind?: string }) => Promise<Record<string, unknown> | undefined>;

/** oidc-provider's `extraTokenClaims`, adding the grant id to every access token minted from a grant. */
export function withGrantId(inner: TokenClaims): TokenClaims {
  return async (ctx, token) => {
    const claims = await inner(ctx, token);
    const grantId = (token as { grantId?: unknown }).grantId;
    if (token.kind !== 'AccessToken' || typeof grantId !== 'string') return claims;
    return { ...claims, [GRANT_ID_CLAIM]: grantId };
  };
}

const FeedQuery = T.Object(
  { since: T.Optional(T.String({ pattern: '^[0-9]{1,15}$' })) },
  { additionalProperties: false },
);
type FeedQuery = Static<typeof FeedQuery>;

export interface RevocationFeedOptions {
  config: Config;
  keyStore: KeyStore;
  clients: ClientStore;
  revoked: RevokedGrants;
  refusals: RefusalCounter;
}

/**
 * `GET /revocations/grants?since=<cursor>` → `{"grants":[{"id","exp"}],"cursor","more"}`: the grants revoked
 * from the cursor on whose tokens may still be alive (`exp`, epoch seconds, after which none is), and
 * the cursor to send next. A client-credentials token with `authz:revocations` (audience
 * `<authz>/admin`) is required; refusals are counted like the admin API's and the same per-address
 * limit applies. Reads are not written to the audit trail: a poll every few seconds would fill it.
 */
export async function revocationFeedRoutes(app: FastifyInstance, options: RevocationFeedOptions) {
  const authenticate = adminAuthenticator({
    issuer: options.config.authz.publicUrl,
    keyStore: options.keyStore,
    clients: options.clients,
    scope: REVOCATIONS_SCOPE,
  });
  await guardAdminScope(app, {
    name: 'revocations',
    authenticate,
    async recordAllowed() {},
    refusals: options.refusals,
    rateLimit: options.config.admin.rateLimit,
  });
  app.get<{ Querystring: FeedQuery }>(
    REVOCATION_FEED_PATH,
    { schema: { querystring: FeedQuery } },
    async (request) => {
      const page = await options.revoked.since(Number(request.query.since ?? 0));
      return {
        grants: page.grants.map((g) => ({ id: g.id, exp: Math.ceil(g.expiresAt / 1000) })),
        cursor: String(page.cursor),
        more: page.more,
      };
    },
  );
}
