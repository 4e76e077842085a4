import type { Config, ServiceName } from './platform/config/index.js';
import { loadMasterKey } from './platform/keys/index.js';
import { openRegistry } from './platform/registry/index.js';
import type { Service, ServiceFactory } from './platform/service.js';

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
  stop(): Promise<void>;
}

/**
 * Builds and starts the named services in one process (authz first, then issuer, then portal) and
 * returns a handle that stops them in reverse order: listeners close, open requests finish, each
 * service closes its database, then the shared registry closes.
 */
export async function startSystem(config: Config, names: ServiceName[]): Promise<RunningSystem> {
  const masterKey = loadMasterKey(config.keys.masterKeyFile);
  const registry = await openRegistry(config.registry);

  const services: Service[] = [];
  const urls = {} as Record<ServiceName, string>;
  const stop = async () => {
    for (const service of services.toReversed()) await service.close();
    await registry.close();
  };
  try {
    for (const name of (['authz', 'issuer', 'portal'] as const).filter((n) => names.includes(n))) {
      const factory = await factories[name]();
      const service = await factory({ config, masterKey, registry });
      services.push(service);
      await service.app.listen({ host: config[name].host, port: config[name].port });
      urls[name] = config[name].publicUrl;
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { config, services, urls, stop };
}
