import type { FastifyInstance } from 'fastify';
import type { OutboxNotifier } from '../notify/outbox.js';
import { outboxPage } from '../views/outbox.js';
import { html } from './context.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * `/dev/outbox`: the development outbox as a page, answered only to requests from this machine
 * (everyone else gets the ordinary 404). Registered only with the `outbox` transport, which the
 * service allows in development mode only.
 */
export async function outboxRoute(app: FastifyInstance, options: { outbox: OutboxNotifier }) {
  app.get('/dev/outbox', async (request, reply) => {
    if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      return reply.callNotFound();
    }
    return html(reply, 200, outboxPage(await options.outbox.list()));
  });
}
