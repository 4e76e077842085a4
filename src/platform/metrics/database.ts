import { Counter, Gauge, Histogram } from 'prom-client';
import { metricsRegistry } from './registry.js';

export const queryDuration = new Histogram({
  name: 'attesta_db_query_duration_seconds',
  help: 'Database statement time, by database (service name or registry), dialect and statement kind',
  labelNames: ['database', 'dialect', 'operation'] as const,
  buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

export interface PoolStats {
  total: number;
  idle: number;
  waiting: number;
  max: number;
}

export const poolErrors = new Counter({
  name: 'attesta_db_pool_errors_total',
  help: 'Idle PostgreSQL connections lost (server restart, failover, terminated backend), by database',
  labelNames: ['database'] as const,
  registers: [metricsRegistry],
});

const pools = new Map<string, () => PoolStats>();

/** Connections of each PostgreSQL pool, read at scrape time. */
new Gauge({
  name: 'attesta_db_pool_connections',
  help: 'Connections of a PostgreSQL pool: total open, idle, clients waiting for one, and the configured max',
  labelNames: ['database', 'state'] as const,
  registers: [metricsRegistry],
  collect() {
    this.reset();
    for (const [database, read] of pools) {
      const stats = read();
      for (const state of ['total', 'idle', 'waiting', 'max'] as const) {
        this.set({ database, state }, stats[state]);
      }
    }
  },
});

/** Registers a pool under a database name; the returned function removes it (at close). */
export function observePool(database: string, read: () => PoolStats): () => void {
  pools.set(database, read);
  return () => {
    if (pools.get(database) === read) pools.delete(database);
  };
}

const OPERATIONS = new Set(['select', 'insert', 'update', 'delete', 'begin', 'commit', 'rollback', 'with']);

/** The statement's first keyword (bounded set), e.g. `select`; anything else is `other`. */
export function operationOf(sqlText: string): string {
  const word = /^\s*([a-zA-Z]+)/.exec(sqlText)?.[1]?.toLowerCase() ?? '';
  return OPERATIONS.has(word) ? word : 'other';
}
