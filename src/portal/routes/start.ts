import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import { type PortalContext, sendMessage } from '../context.js';
import { UpstreamError } from '../errors.js';
import { negotiateLocale } from '../i18n/index.js';
import { newDpopKey } from '../issuance/dpop.js';
import { canStart } from '../pages/landing.js';
import { notFoundMessage } from '../pages/message.js';

const Params = T.Object({ configurationId: T.String({ minLength: 1, maxLength: 200 }) });
const Query = T.Object({
  issuer: T.Optional(T.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' })),
  holder: T.Optional(T.Union([T.Literal('guest'), T.Literal('browser')])),
  lang: T.Optional(T.String({ maxLength: 10 })),
});

/** RFC 9449 §5.1: the server names the algorithms it accepts; the portal's DPoP keys are ES256. */
function supportsDpop(metadata: client.ServerMetadata): boolean {
  const algs = metadata.dpop_signing_alg_values_supported;
  return Array.isArray(algs) && algs.includes('ES256');
}

/**
 * `GET /start/:configurationId[?issuer=…&holder=browser]`: begins the authorization code flow for one
 * credential configuration (OpenID4VCI 1.0 §5.1.2, scope-based): PKCE S256, fresh state and nonce
 * stored for this browser session, `resource` naming the credential issuer (RFC 8707) so the access
 * token is made for it. The request is pushed (RFC 9126) when the server offers PAR, and a DPoP key
 * made for this flow (RFC 9449) when it offers DPoP: the PAR binds it (`dpop_jkt`, §10) and the
 * token will be bound to it. A plain link (not a form) so the CSP's form-action never has to allow
 * the authorization server.
 */
export function startRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{
    Params: { configurationId: string };
    Querystring: { issuer?: string; holder?: 'guest' | 'browser' };
  }>(
    '/start/:configurationId',
    { schema: { params: Params, querystring: Query } },
    async (request, reply) => {
      const found = await ctx.catalogs.type(request.query.issuer, request.params.configurationId);
      if (!found || !canStart(found.type) || !found.type.scope) {
        return sendMessage(request, reply, notFoundMessage);
      }
      const { catalog, type } = found;

      const server = await ctx.servers.configuration(catalog.authorizationServer);
      const metadata = server.serverMetadata();
      const dpop = supportsDpop(metadata) ? await newDpopKey(ctx.masterKey) : undefined;
      const session = await ctx.flows.ensureSession(ctx.cookie.read(request));
      const flow = await ctx.flows.beginFlow(session, type.id, {
        issuer: catalog.issuer,
        holder: request.query.holder ?? 'guest',
        ...(dpop ? { dpopKey: dpop.sealed } : {}),
      });
      const parameters = {
        response_type: 'code',
        redirect_uri: ctx.redirectUri,
        scope: `openid ${type.scope}`,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
        resource: catalog.issuer,
        // OIDC Core §3.1.2.1: the sign-in pages in the language the person reads the portal in.
        ui_locales: negotiateLocale(request, reply),
      };
      let url: URL;
      try {
        url =
          metadata.pushed_authorization_request_endpoint || metadata.require_pushed_authorization_requests
            ? await client.buildAuthorizationUrlWithPAR(
                server,
                parameters,
                dpop ? { DPoP: client.getDPoPHandle(server, dpop.pair) } : {},
              )
            : client.buildAuthorizationUrl(server, parameters);
      } catch (error) {
        const code = (error as { error?: string }).error ?? 'par_failed';
        throw new UpstreamError('authorization', code, (error as Error).message);
      }
      ctx.cookie.set(reply, session);
      return reply.header('cache-control', 'no-store').redirect(url.href, 303);
    },
  );
}
