import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import pino from 'pino';
import type { Config, ServiceName } from './platform/config/index.js';
import { loadMasterKey, openKeyBackends } from './platform/keys/index.js';
import { Lifecycle } from './platform/lifecycle.js';
import { loggerOptions } from './platform/logger.js';
import {
  metricsOnPublicListener,
  registerMetricsRoute,
  startMetricsListener,
} from './platform/metrics/index.js';
import { openRegistry } from './platform/registry/index.js';
import type { Service, ServiceFactory } from './platform/service.js';
import { startTracing } from './platform/tracing/index.js';

/** Loaded lazily so that `serve portal` does not load oidc-provider, and so on. */
const factories: Record<ServiceName, () => Promise<ServiceFactory>> = {
  authz: async () => (await import('./authz/service.js')).createAuthzService,
  issuer: async () => (await import('./issuer/service.js')).createIssuerService,
  portal: async () => (await import('./portal/service.js')).createPortalService,
};

export interface RunningSystem {
  config: Config;
  services: Service[];
  urls: Record<ServiceName, string>;
  lifecycle: Lifecycle;
  /** The management listener's `/metrics` URL, when `metrics.port` is set. */
  metricsUrl?: string;
  stop(): Promise<void>;
}

/** The `http` settings on Node's server: a slow or stalled client cannot hold a connection for ever. */
function applyHttpTimeouts(server: Server, http: Config['http']): void {
  server.requestTimeout = http.requestTimeoutSeconds * 1000;
  server.headersTimeout = Math.min(http.headersTimeoutSeconds, http.requestTimeoutSeconds || Infinity) * 1000;
  server.keepAliveTimeout = http.keepAliveTimeoutSeconds * 1000;
  // Node enforces the two timeouts in a periodic sweep (30 s by default), read when listening starts:
  // sweep every second so a 408 comes when the limit is reached, not up to 30 s later.
  (server as Server & { connectionsCheckingInterval: number }).connectionsCheckingInterval = 1000;
}

/**
 * Builds and starts the named services in one process (authz first, then issuer, then portal) and
 * returns a handle that stops them: the lifecycle turns `draining` (readiness says not ready) for
 * `shutdown.drainSeconds` while listeners still accept, then the services close in reverse order
 * (listeners close, open requests finish, each service closes its database), then the shared
 * registry closes. Requests still open after `shutdown.graceSeconds` have their connections closed.
 */
export async function startSystem(
  config: Config,
  names: ServiceName[],
  lifecycle = new Lifecycle(),
  /** Awaited after the services are built, before they listen (an issuer worker waits for its siblings). */
  beforeListen?: () => Promise<void>,
): Promise<RunningSystem> {
  // Before any service module loads (the HTTP instrumentation wraps node:http); a no-op when off.
  const serviceName = names.length === 1 ? `attesta-${names[0]}` : 'attesta';
  const tracing = await startTracing({ ...config.tracing, serviceName });
  const masterKey = loadMasterKey(config.keys.masterKeyFile);
  // The HSM, when configured: start-up stops here, naming module and slot, if it cannot be used.
  const keyBackends = await openKeyBackends(
    config.keys,
    pino(loggerOptions('keys', config.log.level) as pino.LoggerOptions),
  );
  const registry = await openRegistry(config.registry, config.database).catch((error: unknown) => {
    keyBackends.close();
    throw error;
  });

  const services: Service[] = [];
  const urls = {} as Record<ServiceName, string>;
  let metrics: Awaited<ReturnType<typeof startMetricsListener>> | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      const accepting = lifecycle.ready;
      lifecycle.markDraining();
      if (accepting && config.shutdown.drainSeconds > 0) await sleep(config.shutdown.drainSeconds * 1000);
      const force = setTimeout(() => {
        for (const service of services) service.app.server.closeAllConnections();
      }, config.shutdown.graceSeconds * 1000);
      try {
        for (const service of services.toReversed()) await service.close();
        await registry.close();
        await metrics?.close();
        await tracing?.shutdown();
        keyBackends.close();
      } finally {
        clearTimeout(force);
        lifecycle.markStopped();
      }
    })();
    return stopping;
  };
  try {
    for (const name of (['authz', 'issuer', 'portal'] as const).filter((n) => names.includes(n))) {
      const factory = await factories[name]();
      const service = await factory({ config, masterKey, registry, lifecycle });
      services.push(service);
      applyHttpTimeouts(service.app.server, config.http);
      if (metricsOnPublicListener(config.metrics)) registerMetricsRoute(service.app, config.metrics.token);
      await beforeListen?.();
      await service.app.listen({ host: config[name].host, port: config[name].port });
      urls[name] = config[name].publicUrl;
    }
    if (config.metrics.port > 0) metrics = await startMetricsListener(config.metrics);
  } catch (error) {
    await stop();
    throw error;
  }
  lifecycle.markReady();
  return { config, services, urls, lifecycle, metricsUrl: metrics?.url, stop };
}
