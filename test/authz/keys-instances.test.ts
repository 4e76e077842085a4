import { rmSync } from 'node:fs';
import { decodeProtectedHeader } from 'jose';
import * as client from 'openid-client';
import { afterEach, describe, expect, it } from 'vitest';
import { rotateSigningKey } from '../../src/authz/keys/rotation.js';
import { openAuthzDatabase } from '../../src/cli/authz-database.js';
import type { Config } from '../../src/platform/config/index.js';
import { startSystem } from '../../src/system.js';
import { createPostgresDatabase, isPostgresAvailable } from '../helpers/databases.js';
import { freePort, testConfig } from '../helpers/system.js';
import { addTestClients, rpFor, serverMetadata } from './protocol-setup.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('key rotation with several instances on one PostgreSQL database', () => {
  it('each instance signs with the newest active key after its reload, and all publish the same keys', async (context) => {
    if (!(await isPostgresAvailable())) return context.skip();
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const { config, dataDir } = await testConfig({ services: ['authz'], databases: { authz: database.url } });
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    config.authz.keyReloadSeconds = 1;
    const clients = await addTestClients(config);
    // Instance B: same issuer identifier, master key and database, its own port.
    const configB: Config = structuredClone(config);
    configB.authz.port = await freePort();
    const a = await startSystem(config, ['authz']);
    cleanups.push(() => a.stop());
    const b = await startSystem(configB, ['authz']);
    cleanups.push(() => b.stop());

    const server = await serverMetadata(config);
    const origins = [config.authz.publicUrl, `http://localhost:${configB.authz.port}`];
    /** client_credentials at one instance's own address (the issuer identifier stays the same). */
    const kidFrom = async (origin: string) => {
      const rp = rpFor({ ...server, token_endpoint: `${origin}/token` }, 'admin', clients.admin.key);
      const token = await client.clientCredentialsGrant(rp, { scope: 'authz:admin' });
      return decodeProtectedHeader(token.access_token).kid;
    };
    const jwksFrom = async (origin: string) =>
      ((await (await fetch(`${origin}/jwks`)).json()) as { keys: { kid: string }[] }).keys.map((k) => k.kid);

    const first = await kidFrom(origins[0] ?? '');
    expect(await kidFrom(origins[1] ?? '')).toBe(first);

    const admin = await openAuthzDatabase(config);
    const { kid } = await rotateSigningKey(admin.db, admin.keyStore(), 'cli:test');
    await admin.close();

    for (const origin of origins) {
      const end = Date.now() + 8000;
      while ((await kidFrom(origin)) !== kid) {
        if (Date.now() > end) throw new Error(`${origin} did not pick up the new key`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(await jwksFrom(origin)).toEqual([kid, first]);
    }
  });
});
