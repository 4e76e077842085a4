import { rmSync } from 'node:fs';
import { createIssuerService } from '../../../src/issuer/service.js';
import type { Config } from '../../../src/platform/config/index.js';
import { loadMasterKey } from '../../../src/platform/keys/index.js';
import { demoIdentities, SqlIdentityRegistry } from '../../../src/platform/registry/index.js';
import type { Service } from '../../../src/platform/service.js';
import { freePort, testConfig } from '../../helpers/system.js';

export interface TestIssuer {
  url: string;
  config: Config;
  service: Service;
  stop(): Promise<void>;
}

/** A port for the issuer chosen before it starts, so token audiences can name it. */
export async function issuerConfig(): Promise<{ config: Config; dataDir: string }> {
  return testConfig({ services: ['issuer'] });
}

/**
 * The issuer service alone, listening on loopback, trusting the given authorization servers
 * (which need not be ours), with the demo registry.
 */
export async function startIssuer(
  authorizationServers: string[],
  prepared?: { config: Config; dataDir: string },
  database?: string,
): Promise<TestIssuer> {
  const { config: base, dataDir } = prepared ?? (await issuerConfig());
  const config: Config = {
    ...base,
    issuer: { ...base.issuer, authorizationServers, ...(database ? { database } : {}) },
  };
  const registry = await SqlIdentityRegistry.open(config.registry.database);
  await registry.seed(demoIdentities());
  const service = await createIssuerService({
    config,
    masterKey: loadMasterKey(config.keys.masterKeyFile),
    registry,
  });
  await service.app.listen({ host: config.issuer.host, port: config.issuer.port });
  return {
    url: config.issuer.publicUrl,
    config,
    service,
    async stop() {
      await service.close();
      await registry.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export { freePort };
