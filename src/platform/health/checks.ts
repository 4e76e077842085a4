import { type Kysely, sql } from 'kysely';
import { pendingMigrationsOf } from '../db/index.js';
import type { Lifecycle } from '../lifecycle.js';
import { Readiness, type ReadinessCheck } from './readiness.js';

/** The database answers a trivial query (a connection can be had and used). */
export function databaseCheck(db: Kysely<unknown>): ReadinessCheck {
  return {
    name: 'database',
    async check() {
      await sql`select 1`.execute(db);
    },
  };
}

/**
 * No migration is pending among the sets this process applied to the database at start
 * (`pendingMigrationsOf`): an instance whose schema is behind its code must not take traffic. The
 * check only reads; it never migrates.
 */
export function migrationsCheck(db: Kysely<unknown>): ReadinessCheck {
  return {
    name: 'migrations',
    async check() {
      const pending = await pendingMigrationsOf(db);
      if (pending.length > 0) throw new Error(`pending migrations: ${pending.join(', ')}`);
    },
  };
}

/**
 * The service's signing keys can be used: `load` must produce each key (reading the key table and
 * unsealing with the master key, or opening the HSM session) without creating one.
 */
export function keysCheck(load: () => Promise<unknown[]>): ReadinessCheck {
  return {
    name: 'keys',
    async check() {
      if ((await load()).length === 0) throw new Error('no signing key');
    },
  };
}

/** The checks every service starts with: its database answers, no migration pending, keys usable. */
export function serviceReadiness(
  db: Kysely<unknown>,
  keys: () => Promise<unknown[]>,
  lifecycle?: Lifecycle,
): Readiness {
  const readiness = new Readiness({ lifecycle });
  readiness.register(databaseCheck(db));
  readiness.register(migrationsCheck(db));
  readiness.register(keysCheck(keys));
  return readiness;
}

/**
 * A peer service answers its well-known metadata with a 2xx (the portal checks authz and the
 * issuer this way). Redirects are not followed: a peer answering a redirect is misconfigured.
 */
export function upstreamCheck(name: string, url: string, timeoutMs = 2000): ReadinessCheck {
  return {
    name,
    async check() {
      const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) });
      await response.body?.cancel();
      if (!response.ok) throw new Error(`${new URL(url).origin} answered ${response.status}`);
    },
  };
}
