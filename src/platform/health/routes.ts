import type { FastifyInstance } from 'fastify';
import type { Readiness } from './readiness.js';

/** Paths every service answers on its public listener (docs/operations.md#health). */
export const HEALTH_PATHS = {
  /** The process is alive and its event loop turns; no dependency is checked. */
  live: '/health/live',
  /** The instance may take traffic: every readiness check passes and it is not draining. */
  ready: '/health/ready',
  /** Kept for existing probes: the same as `live`. */
  legacy: '/health',
} as const;

/**
 * Liveness and readiness. Answers are never cached by intermediaries; readiness answers 503 with
 * the per-check report when not ready, so a probe and an operator read the same thing.
 */
export function registerHealthRoutes(app: FastifyInstance, readiness: Readiness): void {
  const live = async (_request: unknown, reply: { header(n: string, v: string): unknown }) => {
    reply.header('cache-control', 'no-store');
    return { status: 'ok' };
  };
  // Probes are never shed by the overload guard: a busy instance answering 503 to its liveness probe
  // would be restarted by the orchestrator exactly when it is doing the most work.
  const probe = { config: { overload: false as const } };
  app.get(HEALTH_PATHS.live, probe, live);
  app.get(HEALTH_PATHS.legacy, probe, live);
  app.get(HEALTH_PATHS.ready, probe, async (_request, reply) => {
    const report = await readiness.report();
    reply.header('cache-control', 'no-store').status(report.status === 'ready' ? 200 : 503);
    return report;
  });
}
