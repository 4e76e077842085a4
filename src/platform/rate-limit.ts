import rateLimit, { type RateLimitPluginOptions } from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import type { RateLimitConfig } from './config/index.js';
import { type Commit, migrateToLatest } from './db/index.js';

/**
 * Per-IP request limits (@fastify/rate-limit) with their counters where the configuration says:
 * `memory` (one instance), `database` (the service's own database: PostgreSQL shares them between
 * instances) or `redis` (one Redis for every instance). Registered once per service, not per scope;
 * a route asks for a limit with `config: { rateLimit: { max, timeWindow } }`.
 */
export async function registerRateLimits(
  app: FastifyInstance,
  service: string,
  config: RateLimitConfig,
  db: Kysely<unknown>,
  /** How the `database` store's counter writes commit (the SQLite group commit); without it, each alone. */
  commit?: Commit,
): Promise<void> {
  // Services may share one database or one Redis: each counts under its own name.
  const prefix = `${config.keyPrefix ?? 'attesta-rate-limit:'}${service}:`;
  const options: RateLimitPluginOptions = { global: false };
  if (config.store === 'redis') {
    // ioredis loads only when Redis is configured (a static import held it in every process).
    const { Redis } = await import('ioredis');
    const redis = new Redis(config.redisUrl ?? 'redis://127.0.0.1:6379', {
      lazyConnect: true,
      maxRetriesPerRequest: 2,
    });
    await redis.connect();
    app.addHook('onClose', async () => {
      await redis.quit();
    });
    options.redis = redis;
    options.nameSpace = prefix;
  } else if (config.store === 'database') {
    await migrateToLatest(db, 'rate_limit', rateLimitMigrations);
    options.store = databaseStore(db, prefix, commit) as unknown as RateLimitPluginOptions['store'];
  }
  await app.register(rateLimit, options);
}

interface RateLimitTables {
  rate_limit_counters: { key: string; hits: number; resets_at: number };
}

export const rateLimitMigrations = {
  '001_counters': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('rate_limit_counters')
        .addColumn('key', 'varchar(300)', (c) => c.primaryKey())
        .addColumn('hits', 'integer', (c) => c.notNull())
        .addColumn('resets_at', 'bigint', (c) => c.notNull())
        .execute();
    },
  },
};

type Callback = (error: Error | null, result: { current: number; ttl: number } | null) => void;

/** Expired counters are deleted at most this often, by whichever request comes by. */
const SWEEP_INTERVAL_MS = 60_000;

/**
 * A fixed-window counter per key in SQL, as @fastify/rate-limit's Redis store keeps it: one atomic
 * upsert per request (a window that has ended starts again at 1), so instances on one PostgreSQL
 * database count together.
 */
function databaseStore(untyped: Kysely<unknown>, rootPrefix: string, commit?: Commit) {
  const db = untyped as Kysely<RateLimitTables>;
  let lastSweep = 0;
  const incr = async (key: string, timeWindow: number): Promise<{ current: number; ttl: number }> => {
    const now = Date.now();
    if (now - lastSweep > SWEEP_INTERVAL_MS) {
      lastSweep = now;
      await db.deleteFrom('rate_limit_counters').where('resets_at', '<=', now).execute();
    }
    const count = (trx: Kysely<RateLimitTables>) =>
      trx
        .insertInto('rate_limit_counters')
        .values({ key, hits: 1, resets_at: now + timeWindow })
        .onConflict((conflict) =>
          conflict.column('key').doUpdateSet({
            hits: sql<number>`case when rate_limit_counters.resets_at <= ${now} then 1 else rate_limit_counters.hits + 1 end`,
            resets_at: sql<number>`case when rate_limit_counters.resets_at <= ${now} then ${now + timeWindow} else rate_limit_counters.resets_at end`,
          }),
        )
        .returning(['hits', 'resets_at'])
        .executeTakeFirstOrThrow();
    // In the group commit, concurrent sign-ins' counts share one fsync; answered after it as before.
    const row = commit
      ? await commit<{ hits: number; resets_at: number }, RateLimitTables>(count)
      : await count(db);
    return { current: Number(row.hits), ttl: Math.max(0, Number(row.resets_at) - now) };
  };
  class DatabaseStore {
    // @fastify/rate-limit constructs the store with its settings, which this store does not need.
    constructor(
      _settings?: unknown,
      private readonly prefix = rootPrefix,
    ) {}
    incr(key: string, callback: Callback, timeWindow: number): void {
      incr(`${this.prefix}${key}`, timeWindow).then(
        (result) => callback(null, result),
        (error: Error) => callback(error, null),
      );
    }
    child(route: { routeInfo: { method: string; url: string } }): DatabaseStore {
      return new DatabaseStore(undefined, `${this.prefix}${route.routeInfo.method}${route.routeInfo.url}:`);
    }
  }
  return DatabaseStore;
}
