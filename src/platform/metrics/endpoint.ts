import { timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { metricsRegistry } from './registry.js';

export const METRICS_PATH = '/metrics';

export interface MetricsSettings {
  /** Interface of the management listener. */
  host: string;
  /** Port of the management listener; 0: none. */
  port: number;
  /** Bearer token required on /metrics wherever it is served; empty: none. */
  token: string;
}

function authorized(header: string | undefined, token: string): boolean {
  if (token === '') return true;
  const given = Buffer.from(header ?? '');
  const wanted = Buffer.from(`Bearer ${token}`);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/**
 * The management listener: `GET /metrics` in Prometheus text format on its own port (by default
 * on loopback), never on the public listener unless asked (`metricsOnPublicListener`). One per
 * process, whichever services the process runs.
 */
export async function startMetricsListener(
  settings: MetricsSettings,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' || path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (!authorized(request.headers.authorization, settings.token)) {
      response.writeHead(401, { 'www-authenticate': 'Bearer' }).end();
      return;
    }
    metricsRegistry.metrics().then(
      (text) => response.writeHead(200, { 'content-type': metricsRegistry.contentType }).end(text),
      () => response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics failed\n'),
    );
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(settings.port, settings.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : settings.port;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return {
    url: `http://${host}:${port}${METRICS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      }),
  };
}

/**
 * With no management port and a token set, each public listener serves `/metrics` behind that
 * token instead (for platforms that expose one port per container).
 */
export function metricsOnPublicListener(settings: MetricsSettings): boolean {
  return settings.port === 0 && settings.token !== '';
}

export function registerMetricsRoute(app: FastifyInstance, token: string): void {
  app.get(METRICS_PATH, async (request, reply) => {
    if (!authorized(request.headers.authorization, token)) {
      return reply.status(401).header('www-authenticate', 'Bearer').send({ error: 'invalid_token' });
    }
    reply.header('cache-control', 'no-store').type(metricsRegistry.contentType);
    return metricsRegistry.metrics();
  });
}
