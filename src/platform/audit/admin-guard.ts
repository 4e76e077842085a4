import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ProtocolError } from '../errors.js';
import type { RefusalCounter } from './refusals.js';

/** A refusal by an authenticator that knows who asked (a valid token without the scope). */
export class AdminRefusal extends ProtocolError {
  constructor(
    status: number,
    error: string,
    description: string,
    headers: Record<string, string>,
    /** The audit trail's "who" (`oauth:<client>`), recorded as the refusal's source. */
    readonly actor: string,
  ) {
    super(status, error, description, headers);
  }
}

export interface AdminGuard<Principal> {
  /** Names the scope's rate-limit counters (`admin`, `revocations`). */
  name: string;
  /** Who calls; throws a ProtocolError (an AdminRefusal when the caller is known) to refuse. */
  authenticate(request: FastifyRequest): Promise<Principal>;
  /** Writes the allowed call to the audit trail (before the route runs). */
  recordAllowed(request: FastifyRequest, principal: Principal): Promise<void>;
  refusals: RefusalCounter;
  /** Calls per caller address per window, before any credential is looked at. */
  rateLimit: { max: number; windowSeconds: number };
}

/** `POST /admin/offers`: the method and the route pattern, never the raw URL (ids, query). */
export function routeOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? 'unknown'}`;
}

/**
 * Guards every route of an admin scope, in this order: a per-address rate limit (429 with
 * Retry-After), then authentication. An allowed call is written to the audit trail before it runs;
 * a refused one (rate limit included) is counted by `RefusalCounter` — per minute, route, reason and
 * source — so a flood cannot grow the audit tables without bound.
 */
export async function guardAdminScope<Principal>(
  scope: FastifyInstance,
  guard: AdminGuard<Principal>,
): Promise<void> {
  // The service's rate-limit plugin (src/platform/rate-limit.ts: counters in memory, the database or
  // Redis, shared by instances as configured); registered here only where a service has none.
  if (!scope.hasDecorator('rateLimit')) await scope.register(rateLimit, { global: false });
  scope.addHook(
    'onRequest',
    scope.rateLimit({
      max: guard.rateLimit.max,
      timeWindow: guard.rateLimit.windowSeconds * 1000,
      // One counter per address for the whole scope, apart from the service's other limits.
      keyGenerator: (request) => `${guard.name}:${request.ip}`,
      onExceeded: (request) => guard.refusals.count(routeOf(request), 'rate limited', request.ip),
      errorResponseBuilder: (_request, context) =>
        new ProtocolError(429, 'rate_limited', 'too many admin requests, retry later', {
          'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))),
        }),
    }),
  );
  scope.addHook('onRequest', async (request) => {
    let principal: Principal;
    try {
      principal = await guard.authenticate(request);
    } catch (error) {
      const reason = error instanceof ProtocolError ? error.description : 'authentication failed';
      const source = error instanceof AdminRefusal ? error.actor : request.ip;
      guard.refusals.count(routeOf(request), reason, source);
      throw error;
    }
    await guard.recordAllowed(request, principal);
  });
  // Admin answers are never cached by intermediaries.
  scope.addHook('onSend', async (_request, reply) => {
    reply.header('cache-control', 'no-store');
  });
}
