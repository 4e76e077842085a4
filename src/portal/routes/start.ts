import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import * as client from 'openid-client';
import { type PortalContext, sendMessage } from '../context.js';
import { UpstreamError } from '../errors.js';
import { canStart } from '../pages/landing.js';
import { notFoundMessage } from '../pages/message.js';

const Params = T.Object({ configurationId: T.String({ minLength: 1, maxLength: 200 }) });

/**
 * `GET /start/:configurationId`: begins the authorization code flow for one credential
 * configuration (OpenID4VCI 1.0 §5.1.2, scope-based): PKCE S256, fresh state and nonce stored for
 * this browser session, `resource` naming the credential issuer (RFC 8707) so the access token is
 * made for it. A plain link (not a form) so the CSP's form-action never has to allow the
 * authorization server.
 */
export function startRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Params: { configurationId: string } }>(
    '/start/:configurationId',
    { schema: { params: Params } },
    async (request, reply) => {
      const catalog = await ctx.catalog.get();
      const type = catalog.types.find((t) => t.id === request.params.configurationId);
      if (!type || !canStart(type) || !type.scope) return sendMessage(reply, notFoundMessage);

      const server = await ctx.servers.configuration(catalog.authorizationServer);
      const session = await ctx.flows.ensureSession(ctx.cookie.read(request));
      const flow = await ctx.flows.beginFlow(session, type.id);
      const parameters = {
        response_type: 'code',
        redirect_uri: ctx.redirectUri,
        scope: `openid ${type.scope}`,
        state: flow.state,
        nonce: flow.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(flow.codeVerifier),
        code_challenge_method: 'S256',
        resource: catalog.issuer,
      };
      let url: URL;
      try {
        // RFC 9126 §5: when the server requires pushed requests, push it.
        url = server.serverMetadata().require_pushed_authorization_requests
          ? await client.buildAuthorizationUrlWithPAR(server, parameters)
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
