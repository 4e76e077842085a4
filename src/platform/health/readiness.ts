import type { Lifecycle, LifecycleState } from '../lifecycle.js';

/**
 * Readiness of one service instance: a list of named checks (database, keys, pending migrations,
 * upstream services, an HSM token…) that services and key backends register, and the process
 * lifecycle (src/platform/lifecycle.ts), which turns `draining` first on SIGTERM. Liveness is
 * separate and never runs these checks: a slow database must take an instance out of the load
 * balancer, not get it restarted.
 */

export interface ReadinessCheck {
  /** Stable, low-cardinality name shown in the readiness answer (`database`, `keys`, `hsm`, …). */
  name: string;
  /** Resolves when ready; throws (or rejects) with a short reason that carries no secret or PII. */
  check(): Promise<void>;
}

export interface CheckResult {
  status: 'ok' | 'fail';
  /** The failure's message, for the operator; first line, at most 200 characters. */
  reason?: string;
}

export interface ReadinessReport {
  status: 'ready' | 'not_ready';
  /** The process lifecycle: only `ready` takes traffic (`starting`, `draining`, `stopped` do not). */
  lifecycle: LifecycleState;
  draining: boolean;
  checks: Record<string, CheckResult>;
}

export interface ReadinessOptions {
  /** The process lifecycle; without one (a service built alone in a test) the instance counts as ready. */
  lifecycle?: Lifecycle;
  /** Each check must settle within this, or counts as failed. */
  timeoutMs?: number;
  /**
   * A report is reused this long, and concurrent probes share one run: a flood of readiness
   * requests costs at most one round of checks per interval.
   */
  cacheMs?: number;
}

function shortReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return (message.split('\n')[0] ?? '').slice(0, 200) || 'failed';
}

export class Readiness {
  private readonly checks: ReadinessCheck[] = [];
  private cached: { at: number; report: Promise<ReadinessReport> } | undefined;
  private readonly timeoutMs: number;
  private readonly cacheMs: number;
  private readonly lifecycle: Lifecycle | undefined;

  constructor(options: ReadinessOptions = {}) {
    this.lifecycle = options.lifecycle;
    this.timeoutMs = options.timeoutMs ?? 2000;
    this.cacheMs = options.cacheMs ?? 1000;
  }

  /** Adds a check (e.g. keys-hsm registers the token state); names must be unique per service. */
  register(check: ReadinessCheck): void {
    if (this.checks.some((c) => c.name === check.name)) {
      throw new Error(`readiness check ${check.name} is registered twice`);
    }
    this.checks.push(check);
    this.cached = undefined;
  }

  private get state(): LifecycleState {
    return this.lifecycle?.state ?? 'ready';
  }

  /** Draining or stopped: the instance must get no new traffic, whatever its checks say. */
  get draining(): boolean {
    return this.state === 'draining' || this.state === 'stopped';
  }

  /** Runs every check (in parallel, each bounded by the timeout), or returns the recent report. */
  report(): Promise<ReadinessReport> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= this.cacheMs) {
      this.cached = { at: now, report: this.run() };
    }
    return this.cached.report.then((report) => {
      // The lifecycle is read at answer time, never from the cache.
      const lifecycle = this.state;
      const ok = report.status === 'ready' && lifecycle === 'ready';
      return { ...report, status: ok ? 'ready' : 'not_ready', lifecycle, draining: this.draining };
    });
  }

  private async run(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      this.checks.map(async (c): Promise<[string, CheckResult]> => [c.name, await this.runOne(c)]),
    );
    const checks = Object.fromEntries(entries);
    const ok = entries.every(([, result]) => result.status === 'ok');
    return { status: ok ? 'ready' : 'not_ready', lifecycle: this.state, draining: this.draining, checks };
  }

  private async runOne(check: ReadinessCheck): Promise<CheckResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.timeoutMs} ms`)), this.timeoutMs);
      timer.unref();
    });
    try {
      await Promise.race([check.check(), timeout]);
      return { status: 'ok' };
    } catch (error) {
      return { status: 'fail', reason: shortReason(error) };
    } finally {
      clearTimeout(timer);
    }
  }
}
