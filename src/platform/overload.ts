import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** Limits of one instance under load (config `overload`, docs/security.md). */
export interface OverloadOptions {
  /** Off: no request is ever refused as busy (for comparison in the bench). */
  enabled: boolean;
  /** Requests of one route in progress at once. */
  concurrency: number;
  /** Requests of one route waiting for a free slot; more are refused at once. */
  queue: number;
  /** Longest wait in a route's queue before the request is refused, ms. */
  queueTimeoutMs: number;
  /**
   * CPU time a loop turn may spend on requests before it refuses the rest, ms, once the previous
   * turn went over too (this thread's CPU, so a pause by the kernel's scheduler does not count). Requests not yet read wait in the kernel behind a long turn, so
   * this is what bounds their wait when work is synchronous (SQLite, JSON, signing).
   */
  turnBudgetMs: number;
  retryAfterSeconds: number;
  /**
   * A refusal is answered after this pause, ms (at most `MAX_HELD` at a time, the rest at once):
   * a client that retries the moment it is refused would otherwise fill every loop turn with
   * refusals, and the admitted requests would wait behind them.
   */
  busyDelayMs: number;
}

/** Per-route overrides (`config: { overload: { concurrency: 4 } }`), or `false` for no limit. */
export type RouteOverload =
  | Partial<Pick<OverloadOptions, 'concurrency' | 'queue' | 'queueTimeoutMs'>>
  | false;

declare module 'fastify' {
  interface FastifyContextConfig {
    overload?: RouteOverload;
  }
  interface FastifyReply {
    /** Set in a scope whose pages should say "busy" in their own words (e.g. the portal's). */
    busyPage?: (retryAfterSeconds: number) => FastifyReply;
  }
}

/** A turn after a quiet one may run this many turn budgets before it sheds. */
const BURST_BUDGETS = 3;

/** Refusals held for `busyDelayMs` at once; beyond, a refusal is answered without the pause. */
const MAX_HELD = 4096;

/** Unrouted paths (a mounted app such as oidc-provider) are limited per first path segment, up to this many. */
const MAX_UNROUTED_KEYS = 32;

class RouteGate {
  inFlight = 0;
  readonly waiting: (() => void)[] = [];
  constructor(
    readonly concurrency: number,
    readonly queue: number,
    readonly queueTimeoutMs: number,
  ) {}

  /** true: admitted now; a promise: admitted when it resolves true, refused when false; false: refused. */
  enter(): boolean | Promise<boolean> {
    if (this.inFlight < this.concurrency) {
      this.inFlight++;
      return true;
    }
    if (this.waiting.length >= this.queue) return false;
    return new Promise<boolean>((resolve) => {
      const admit = () => {
        clearTimeout(timer);
        this.inFlight++;
        resolve(true);
      };
      const timer = setTimeout(() => {
        const at = this.waiting.indexOf(admit);
        if (at !== -1) this.waiting.splice(at, 1);
        resolve(false);
      }, this.queueTimeoutMs);
      this.waiting.push(admit);
    });
  }

  leave(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }
}

/**
 * This thread's CPU time, ms. A turn is measured in the CPU it spent, not in wall time: a process the
 * kernel pauses (a cgroup CPU quota, a busy neighbour on the same cores) is not made to refuse a
 * load it serves well, while a turn that really works past its budget still sheds. Node < 23.9 has no
 * per-thread reading, and falls back to wall time.
 */
const threadCpuMs: () => number =
  typeof process.threadCpuUsage === 'function'
    ? () => {
        const { user, system } = process.threadCpuUsage();
        return (user + system) / 1000;
      }
    : () => performance.now();

/**
 * How much CPU the current event-loop turn has spent on requests, and whether the last one overran.
 * The thread's CPU is read (a system call) only when the turn's wall time is past the limit: CPU time
 * never exceeds wall time, so a turn under the limit in wall time is under it in CPU too.
 */
class LoopTurn {
  private wallStart = 0;
  private cpuStart = 0;
  private armed = false;
  private previousOverran = false;

  constructor(private readonly budgetMs: number) {}

  overloaded(): boolean {
    const wallNow = performance.now();
    if (!this.armed) {
      this.armed = true;
      this.wallStart = wallNow;
      this.cpuStart = threadCpuMs();
      // The check phase follows the poll phase that handed us this turn's requests.
      setImmediate(() => {
        this.armed = false;
        this.previousOverran = this.spentOver(performance.now(), this.budgetMs);
      });
    }
    // One long callback (a JSON-LD verification) does not make a turn of shedding; a burst that
    // arrives after a quiet turn is still cut at a few budgets' worth.
    return this.spentOver(wallNow, this.previousOverran ? this.budgetMs : BURST_BUDGETS * this.budgetMs);
  }

  private spentOver(wallNow: number, limitMs: number): boolean {
    return wallNow - this.wallStart > limitMs && threadCpuMs() - this.cpuStart > limitMs;
  }
}

function busy(request: FastifyRequest, reply: FastifyReply, retryAfter: number): FastifyReply {
  reply.code(503).header('retry-after', String(retryAfter)).header('cache-control', 'no-store');
  if (reply.busyPage) return reply.busyPage(retryAfter);
  // People's browsers navigate with text/html first; protocol clients ask for JSON.
  if (/^text\/html/.test(request.headers.accept ?? '')) {
    return reply
      .type('text/html; charset=utf-8')
      .send(
        `<!doctype html><html lang="en"><meta charset="utf-8"><title>Busy</title><h1>Busy</h1><p>Too many requests at this moment. Please try again in ${retryAfter} seconds.</p></html>`,
      );
  }
  // RFC 6749 §4.1.2.1 `temporarily_unavailable`: the protocols' own word for "busy, try later".
  return reply.send({
    error: 'temporarily_unavailable',
    error_description: `the service is busy; retry after ${retryAfter} seconds`,
  });
}

/**
 * Bounded queues in front of every route (issue 15): at most `concurrency` requests of a route in
 * progress and `queue` waiting; past that, or when the event loop has been busy past its turn
 * budget, a request is refused with 503 and Retry-After in the protocol's error format (a page for
 * people), after a short pause, so the requests admitted keep a bounded latency and memory stays
 * bounded.
 */
export function guardOverload(app: FastifyInstance, options: OverloadOptions): void {
  if (!options.enabled) return;
  const gates = new Map<string, RouteGate>();
  let unrouted = 0;
  const turn = new LoopTurn(options.turnBudgetMs);
  let held = 0;
  const refuse = async (request: FastifyRequest, reply: FastifyReply) => {
    if (options.busyDelayMs > 0 && held < MAX_HELD) {
      held++;
      try {
        await new Promise((resolve) => setTimeout(resolve, options.busyDelayMs));
      } finally {
        held--;
      }
    }
    return busy(request, reply, options.retryAfterSeconds);
  };

  const gateOf = (request: FastifyRequest): RouteGate | undefined => {
    const route = request.routeOptions;
    const own = route.config?.overload;
    if (own === false) return undefined;
    let key = route.url ? `${request.method} ${route.url}` : `* /${request.url.split(/[/?]/, 2)[1] ?? ''}`;
    if (!route.url && !gates.has(key)) {
      if (unrouted >= MAX_UNROUTED_KEYS) key = '* (other)';
      else unrouted++;
    }
    let gate = gates.get(key);
    if (!gate) {
      gate = new RouteGate(
        own?.concurrency ?? options.concurrency,
        own?.queue ?? options.queue,
        own?.queueTimeoutMs ?? options.queueTimeoutMs,
      );
      gates.set(key, gate);
    }
    return gate;
  };

  app.addHook('onRequest', async (request, reply) => {
    const gate = gateOf(request);
    if (!gate) return;
    if (turn.overloaded()) return refuse(request, reply);
    // 'close' fires once the response is done, also when a mounted app wrote it or the client went
    // away — possibly while the request still waits in the queue: its slot is then given back on entry.
    let holding = false;
    let closed = false;
    reply.raw.once('close', () => {
      closed = true;
      if (holding) gate.leave();
    });
    const entered = gate.enter();
    const admitted = entered === true || entered === false ? entered : await entered;
    if (!admitted) return refuse(request, reply);
    if (closed) gate.leave();
    else holding = true;
  });
}
