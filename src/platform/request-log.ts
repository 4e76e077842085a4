import type { FastifyInstance } from 'fastify';
import { httpDuration, httpRequests, methodLabel, protocolRefusals } from './metrics/index.js';
import { annotateServerSpan, requestTraceId } from './tracing/request.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for every request by the server factory; routes and handlers report refusals to it. */
    observed?: { route: string; refused(error: string): void };
  }
}

/** A response never finished because the client went away (nginx's convention). */
const CLIENT_CLOSED = 499;

/**
 * Per request: a random id (also sent back as `x-request-id`), the route template as the label
 * (never the raw path, which may carry ids or codes), and when the response ends one JSON log
 * line (route, status, duration, trace id) plus the request metrics. 5xx lines are at error.
 * Hooked on the raw response so it also sees what oidc-provider answers through middie.
 */
export function observeRequests(
  app: FastifyInstance,
  service: string,
  mountedPaths: readonly string[],
): void {
  const mountedRoute = (url: string): string => {
    const path = url.split('?', 1)[0] ?? '';
    return mountedPaths.find((p) => path === p || path.startsWith(`${p}/`)) ?? 'unmatched';
  };
  app.addHook('onRequest', async (request, reply) => {
    const started = performance.now();
    const route = request.routeOptions.url ?? mountedRoute(request.url);
    const method = methodLabel(request.method);
    // Probes come every few seconds from every balancer: their lines are at debug.
    const probe = route.startsWith('/health');
    annotateServerSpan(service, method, route);
    const traceId = requestTraceId(request.headers.traceparent);
    reply.raw.setHeader('x-request-id', request.id);
    request.observed = {
      route,
      refused: (error) => protocolRefusals.inc({ service, route, error }),
    };
    let logged = false;
    const ended = (finished: boolean) => {
      if (logged) return;
      logged = true;
      const status = finished ? reply.raw.statusCode : CLIENT_CLOSED;
      const seconds = (performance.now() - started) / 1000;
      const labels = { service, method, route, status: String(status) };
      httpRequests.inc(labels);
      httpDuration.observe(labels, seconds);
      const line = { method, route, status, durationMs: Math.round(seconds * 10_000) / 10, traceId };
      if (probe) request.log.debug(line, 'request');
      else if (status >= 500) request.log.error(line, 'request');
      else request.log.info(line, 'request');
    };
    // 'finish': the response was handed to the OS; 'close' alone: the client went away first.
    reply.raw.once('finish', () => ended(true));
    reply.raw.once('close', () => ended(false));
  });
}
