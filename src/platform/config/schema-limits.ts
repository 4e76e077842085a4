import { type Static, Type as T } from '@sinclair/typebox';

/** Bounded queues per route and the event-loop turn budget (src/platform/overload.ts, docs/security.md). */
export const Overload = T.Object({
  enabled: T.Boolean({
    description: 'Refuse work past the limits below with 503 + Retry-After; off: never refuse as busy.',
  }),
  concurrency: T.Integer({
    minimum: 1,
    maximum: 100000,
    description: 'Requests of one route in progress at once, per instance.',
  }),
  queue: T.Integer({
    minimum: 0,
    maximum: 100000,
    description: 'Requests of one route waiting for a free slot; more are refused at once.',
  }),
  queueTimeoutMs: T.Integer({
    minimum: 1,
    maximum: 60000,
    description: 'Longest wait in a route queue, ms, before the request is refused.',
  }),
  turnBudgetMs: T.Integer({
    minimum: 1,
    maximum: 10000,
    description:
      'CPU time of the event-loop thread, ms, one loop turn may spend on requests before the rest of that turn are refused (three times as much after a turn that did not overrun): bounds the wait of requests not yet read. Time the kernel does not run the process (a CPU quota, a busy neighbour) does not count.',
  }),
  retryAfterSeconds: T.Integer({
    minimum: 1,
    maximum: 3600,
    description: 'Retry-After of a busy answer, seconds.',
  }),
  busyDelayMs: T.Integer({
    minimum: 0,
    maximum: 10000,
    description:
      'A busy answer is sent after this pause, ms, so clients that retry at once cannot fill the event loop with refusals; 0: at once.',
  }),
});

/** Where per-IP request counters live (src/platform/rate-limit.ts, docs/security.md). */
export const RateLimitStore = T.Object({
  store: T.Union([T.Literal('memory'), T.Literal('database'), T.Literal('redis')], {
    description:
      "Per-IP request counters: `memory` (this instance only), `database` (the service's own database; shared by instances on one PostgreSQL) or `redis` (rateLimit.redisUrl; shared by every instance).",
  }),
  redisUrl: T.Optional(
    T.String({
      pattern: '^rediss?://.+',
      description: 'Redis for `store: redis` (default redis://127.0.0.1:6379).',
    }),
  ),
  keyPrefix: T.Optional(
    T.String({
      pattern: '^[A-Za-z0-9:_.-]{1,64}$',
      description:
        'Prefix of the counter keys (then the service name), so deployments sharing one Redis count apart.',
    }),
  ),
});

export type RateLimitConfig = Static<typeof RateLimitStore>;
