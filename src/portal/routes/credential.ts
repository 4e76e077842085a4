import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { type PortalContext, sendMessage, sendPage } from '../context.js';
import { htmlToken } from '../html/html.js';
import { notFoundMessage } from '../pages/message.js';
import { resultPage } from '../pages/result.js';

const Params = T.Object({ id: T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

/**
 * `GET /credentials/:id` shows an obtained credential, `GET /credentials/:id/download` serves it
 * as issued. Only the session that obtained it sees it; to anyone else it does not exist.
 */
export function credentialRoutes(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Params: { id: string } }>(
    '/credentials/:id',
    { schema: { params: Params } },
    async (request, reply) => {
      const obtained = await ctx.credentials.find(ctx.cookie.read(request), request.params.id);
      if (!obtained) return sendMessage(reply, notFoundMessage);
      return sendPage(reply, 200, resultPage(request.params.id, obtained));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/credentials/:id/download',
    { schema: { params: Params } },
    async (request, reply) => {
      const obtained = await ctx.credentials.find(ctx.cookie.read(request), request.params.id);
      if (!obtained) return sendMessage(reply, notFoundMessage);
      return reply
        .header('content-type', obtained.mediaType)
        .header('content-disposition', `attachment; filename="${htmlToken(obtained.configurationId)}.sd-jwt"`)
        .header('cache-control', 'no-store')
        .send(obtained.credential);
    },
  );
}
