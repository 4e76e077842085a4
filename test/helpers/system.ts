import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Config, loadConfig, type ServiceName } from '../../src/platform/config/index.js';
import { type RunningSystem, startSystem } from '../../src/system.js';

/** A port that was free a moment ago (the OS picks it). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export interface TestSystemOptions {
  services?: ServiceName[];
  /** Database URLs per service (default: SQLite files in a temporary folder). */
  databases?: Partial<Record<ServiceName | 'registry', string>>;
  /** Further issuers in the portal's catalogue (`portal.issuers`). */
  portalIssuers?: string[];
  /** Extra configuration merged last. */
  overrides?: Record<string, unknown>;
}

export interface TestSystem extends RunningSystem {
  dataDir: string;
}

/**
 * The configuration of a whole system on free loopback ports, with its data in a fresh temporary
 * folder: every identifier (issuer URLs, redirect URI, JWKS URI, token audience) follows the ports.
 */
export async function testConfig(
  options: TestSystemOptions = {},
): Promise<{ config: Config; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'attesta-system-'));
  const [authzPort, issuerPort, portalPort] = [await freePort(), await freePort(), await freePort()];
  const authz = `http://localhost:${authzPort}`;
  const issuer = `http://localhost:${issuerPort}`;
  const portal = `http://localhost:${portalPort}`;
  const db = (name: ServiceName | 'registry') =>
    options.databases?.[name] ?? `sqlite:${join(dataDir, `${name}.sqlite`)}`;
  const base = loadConfig({ env: {} });
  const config = loadConfig({
    env: {},
    overrides: {
      dataDir,
      log: { level: process.env.ATTESTA_TEST_LOG ?? 'silent' },
      // Tests load the services in parallel bursts (1,000 credentials at once) to check correctness,
      // not overload: the guard runs, with limits they never reach (test/platform/overload.test.ts
      // and the bench test the real ones).
      overload: { concurrency: 100_000, queue: 100_000, turnBudgetMs: 10_000 },
      keys: { masterKeyFile: join(dataDir, 'master.key') },
      // Every test client is 127.0.0.1: generous admin limits (test/security/admin-edges.test.ts sets its own).
      admin: { rateLimit: { max: 100000, windowSeconds: 60 } },
      registry: { database: db('registry'), seedDemo: true },
      authz: {
        port: authzPort,
        publicUrl: authz,
        database: db('authz'),
        resources: base.authz.resources.map((r) => ({ ...r, identifier: issuer })),
        clients: base.authz.clients.map((c) =>
          c.client_id === base.portal.clientId
            ? { ...c, redirect_uris: [`${portal}/callback`], jwks_uri: `${portal}/.well-known/jwks.json` }
            : c.client_id === base.issuer.revocationFeed.clientId
              ? { ...c, jwks_uri: `${issuer}/.well-known/client-jwks.json` }
              : c,
        ),
        // Generous per-IP limits (every test client is 127.0.0.1); the portal's consent is implicit
        // so flows written before the consent page keep working (test/authz/consent.test.ts turns it on).
        login: {
          rateLimit: { max: 100000, windowSeconds: 60 },
          implicitConsentClients: [base.portal.clientId],
        },
      },
      issuer: { port: issuerPort, publicUrl: issuer, database: db('issuer'), authorizationServers: [authz] },
      portal: {
        port: portalPort,
        publicUrl: portal,
        database: db('portal'),
        issuerUrl: issuer,
        issuers: options.portalIssuers ?? [],
      },
      ...options.overrides,
    },
  });
  return { config, dataDir };
}

/** Starts the system (all three services by default); `stop` also removes its data folder. */
export async function startTestSystem(options: TestSystemOptions = {}): Promise<TestSystem> {
  const { config, dataDir } = await testConfig(options);
  const system = await startSystem(config, options.services ?? ['authz', 'issuer', 'portal']);
  return {
    ...system,
    dataDir,
    async stop() {
      await system.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
