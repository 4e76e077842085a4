import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';

/**
 * Per-IP limits hold across instances: two portals share one counter store, a client spends the
 * verify page's limit (60 a minute) on the first and is refused (429) by the second. With the
 * per-instance `memory` store the second still answers, which shows the test can tell them apart.
 */
const systems: TestSystem[] = [];
const databases: TestDatabase[] = [];
afterAll(async () => {
  for (const system of systems) await system.stop();
  for (const database of databases) await database.drop();
});

async function redisAvailable(): Promise<boolean> {
  const { Redis } = await import('ioredis');
  const redis = new Redis('redis://127.0.0.1:6379', {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await redis.connect();
    await redis.ping();
    return true;
  } catch (error) {
    if (process.env.CI === 'true') throw new Error(`Redis is required in CI: ${(error as Error).message}`);
    return false;
  } finally {
    redis.disconnect();
  }
}

async function twoPortals(rateLimit: Record<string, unknown>): Promise<[string, string]> {
  const database = await createPostgresDatabase();
  databases.push(database);
  const start = (keys?: { masterKeyFile: string }) =>
    startTestSystem({
      services: ['portal'],
      databases: { portal: database.url },
      overrides: { rateLimit, ...(keys ? { keys } : {}) },
    });
  const a = await start();
  systems.push(a);
  // Instances of one deployment share the master key (the database holds keys sealed under it).
  const b = await start(a.config.keys);
  systems.push(b);
  return [a.urls.portal, b.urls.portal];
}

async function verifyText(portal: string): Promise<number> {
  const response = await fetch(`${portal}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'text=not-a-credential',
  });
  await response.arrayBuffer();
  return response.status;
}

describe.each([
  { store: 'database', shared: true },
  { store: 'redis', shared: true },
  { store: 'memory', shared: false },
])('rate limits with the $store store', ({ store, shared }) => {
  it(shared ? 'are shared by two instances' : 'are per instance', async () => {
    if (!(await isPostgresAvailable())) return;
    if (store === 'redis' && !(await redisAvailable())) return;
    const [first, second] = await twoPortals({ store, keyPrefix: `test-${randomBytes(6).toString('hex')}:` });
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) statuses.push(await verifyText(first));
    expect(new Set(statuses)).toEqual(new Set([422])); // nothing usable, within the limit
    expect(await verifyText(second)).toBe(shared ? 429 : 422);
    expect(await verifyText(first)).toBe(429);
  }, 120_000);
});
