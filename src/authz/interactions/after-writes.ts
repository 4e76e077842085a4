import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { inRequestWrites, RequestWrites } from '../storage/request-writes.js';

/**
 * For the interaction routes (Fastify, outside oidc-provider): the adapter writes a step leaves to
 * the answer (storage/request-writes.ts: the interaction's result, the grant, the remembered
 * consent) are committed before anything is sent — an onSend hook waits for them — and if one
 * failed, the error is the answer. Returns the wrapper each route's handler is given through.
 */
export function answersAfterWrites(app: FastifyInstance) {
  const writesOf = new WeakMap<FastifyRequest, RequestWrites>();
  app.addHook('onSend', async (request, reply, payload) => {
    try {
      await writesOf.get(request)?.settled();
    } catch (error) {
      // The error answer must not carry the redirect of the step that did not happen.
      reply.removeHeader('location');
      throw error;
    }
    return payload;
  });
  return <R extends FastifyRequest>(handler: (request: R, reply: FastifyReply) => Promise<unknown>) =>
    (request: R, reply: FastifyReply) => {
      const writes = new RequestWrites();
      writesOf.set(request, writes);
      return inRequestWrites(writes, () => handler(request, reply));
    };
}
