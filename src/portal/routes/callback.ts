import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import { type PortalContext, sendMessage } from '../context.js';
import { UpstreamError } from '../errors.js';
import type { AccessGrant } from '../issuance/credential-request.js';
import { fetchNonce } from '../issuance/credential-request.js';
import { openDpopKey } from '../issuance/dpop.js';
import { obtainCredential } from '../issuance/obtain-credential.js';
import { asUpstreamError } from '../oidc/authorization-server.js';
import { accessDeniedMessage, sessionExpiredMessage } from '../pages/message.js';

const Query = T.Object({
  state: T.Optional(T.String({ maxLength: 512 })),
  code: T.Optional(T.String({ maxLength: 2048 })),
  iss: T.Optional(T.String({ maxLength: 512 })),
  error: T.Optional(T.String({ maxLength: 256 })),
  error_description: T.Optional(T.String({ maxLength: 1024 })),
});
type Query = { state?: string; code?: string; iss?: string; error?: string; error_description?: string };

/**
 * `GET /callback`: the authorization response (RFC 6749 §4.1.2). The state must name a flow of this
 * browser's session (CSRF, RFC 9700 §4.7); openid-client then checks `iss` (RFC 9207), exchanges the
 * code with the PKCE verifier (and the flow's DPoP key) and checks the ID token's nonce. In guest
 * mode the credential is then obtained, verified, stored for this session, and the browser sent to
 * the result page; in browser mode the page at /bind signs the proof with the browser's own key.
 */
export function callbackRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Querystring: Query }>('/callback', { schema: { querystring: Query } }, async (request, reply) => {
    reply.header('cache-control', 'no-store');
    const { state, error } = request.query;
    const session = ctx.cookie.read(request);
    const flow = state ? await ctx.flows.consumeFlow(session, state) : undefined;
    if (!flow || !session) return sendMessage(request, reply, sessionExpiredMessage);
    if (error === 'access_denied') {
      return sendMessage(request, reply, accessDeniedMessage(request.query.error_description));
    }
    if (error) throw new UpstreamError('authorization', error, 'authorization error response');

    const catalog = await (flow.issuer ? ctx.catalogs.byUrl(flow.issuer) : ctx.catalogs.byKey(undefined));
    const type = catalog?.types.find((t) => t.id === flow.configurationId);
    if (!catalog || !type) {
      throw new UpstreamError('issuer_metadata', 'unknown_configuration', 'configuration withdrawn');
    }
    const server = await ctx.servers.configuration(catalog.authorizationServer);
    const dpop = flow.dpopKey ? await openDpopKey(ctx.masterKey, flow.dpopKey) : undefined;

    const currentUrl = new URL(ctx.redirectUri);
    currentUrl.search = new URL(request.url, 'http://callback').search;
    let grant: AccessGrant;
    let subject: string | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(
        server,
        currentUrl,
        {
          pkceCodeVerifier: flow.codeVerifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        },
        // RFC 8707 §2.2: the resource again at the token endpoint, so the token's audience is the issuer.
        { resource: catalog.issuer },
        dpop ? { DPoP: client.getDPoPHandle(server, dpop) } : {},
      );
      const tokenType = tokens.token_type.toLowerCase();
      if (tokenType !== 'bearer' && !(tokenType === 'dpop' && dpop)) {
        throw new UpstreamError('token', 'unsupported_token_type', tokens.token_type);
      }
      subject = tokens.claims()?.sub;
      grant = { accessToken: tokens.access_token, ...(tokenType === 'dpop' ? { dpop } : {}) };
    } catch (failure) {
      throw asUpstreamError('token', failure);
    }

    if (flow.holder === 'browser') {
      const nonce = await fetchNonce(ctx.config, catalog);
      const id = await ctx.pending.save(
        {
          issuer: catalog.issuer,
          configurationId: type.id,
          accessToken: grant.accessToken,
          dpopKey: grant.dpop ? flow.dpopKey : undefined,
          nonce,
          subject,
        },
        session,
      );
      return reply.redirect(`/bind/${encodeURIComponent(id)}`, 303);
    }
    const obtained = await obtainCredential(ctx.config, ctx.issuerKeys, { catalog, type, grant });
    const id = await ctx.credentials.save(session, { ...obtained, subject });
    return reply.redirect(`/credentials/${encodeURIComponent(id)}`, 303);
  });
}
