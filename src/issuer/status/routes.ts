import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { STATUS_LIST_MAX_AGE, type StatusListPublisher } from './publisher.js';

const Params = T.Object({
  kind: T.Union([T.Literal('token'), T.Literal('bitstring')]),
  id: T.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }),
});

/**
 * GET /status/token/:id (Token Status List, `application/statuslist+jwt`) and
 * GET /status/bitstring/:id (Bitstring Status List credential: Data Integrity `application/vc`, or
 * `application/vc+jwt` when the Accept header asks for it). Public,
 * cacheable for a few seconds, with an ETag for conditional requests.
 */
export function registerStatusListRoutes(app: FastifyInstance, publisher: StatusListPublisher): void {
  app.get<{ Params: { kind: 'token' | 'bitstring'; id: string } }>(
    '/status/:kind/:id',
    { schema: { params: Params } },
    async (request, reply) => {
      const accept = request.headers.accept ?? '';
      const prefer = accept.includes('application/vc+jwt') ? 'jwt' : 'ldp';
      const list = await publisher.get(request.params.kind, request.params.id, prefer);
      if (!list)
        return reply.status(404).send({ error: 'not_found', error_description: 'no such status list' });
      reply
        .header('cache-control', `public, max-age=${STATUS_LIST_MAX_AGE}`)
        .header('etag', list.etag)
        .header('access-control-allow-origin', '*')
        .header('vary', 'accept');
      if (request.headers['if-none-match'] === list.etag) return reply.status(304).send();
      return reply.type(list.contentType).send(list.body);
    },
  );
}
