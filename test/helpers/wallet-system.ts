import { rmSync } from 'node:fs';
import { setGlobalConfig } from '@openid4vc/openid4vci';
import type { Config } from '../../src/platform/config/index.js';
import { type RunningSystem, startSystem } from '../../src/system.js';
import { type ClientKey, closeServer, generateClientKey, serveClientJwks } from '../authz/helpers.js';
import { testConfig } from './system.js';

export interface WalletSystem {
  config: Config;
  system: RunningSystem;
  /** The wallet's client key: it is the registered client `portal` (private_key_jwt). */
  clientKey: ClientKey;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * authz + issuer for tests in which an independent wallet library is the client: the wallet's JWKS
 * is served where authz expects the client's keys, and the OWF library may use plain-http loopback.
 * `prepare` may change the configuration before the services start (extra clients, say).
 */
export async function startWalletSystem(prepare?: (config: Config) => Promise<void>): Promise<WalletSystem> {
  setGlobalConfig({ allowInsecureUrls: true }); // plain-http loopback only
  const { config, dataDir } = await testConfig({ services: ['authz', 'issuer'] });
  await prepare?.(config);
  const clientKey = await generateClientKey();
  const jwksServer = await serveClientJwks(config, [clientKey.publicJwk]);
  const system = await startSystem(config, ['authz', 'issuer']);
  return {
    config,
    system,
    clientKey,
    dataDir,
    async stop() {
      await system.stop();
      await closeServer(jwksServer);
      setGlobalConfig({ allowInsecureUrls: false });
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
