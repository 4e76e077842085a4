import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import type { DecodeResult, DecodeTask } from './decode-worker.js';

/** What one decoding may cost: threads, tasks waiting, time, JS heap and process memory growth. */
export interface DecodeBudget {
  /** Worker threads; one core is always left to the event loop of the services. */
  threads: number;
  /** Tasks waiting for a thread; past that the verify page answers "busy". */
  queue: number;
  /** Wall time of one task, waiting included; the worker running it is then terminated. */
  timeoutMs: number;
  /** Time a new worker may take to start (load its modules and WebAssembly) before its first task. */
  startupMs: number;
  /** V8 heap of each worker (resourceLimits): exceeding it ends that worker, not the process. */
  heapMb: number;
  /**
   * Growth of the process's resident memory while tasks run (typed arrays and WebAssembly memory
   * live outside the V8 heap): past it the running tasks' workers are terminated.
   */
  rssGrowthMb: number;
}

export const DEFAULT_DECODE_BUDGET: DecodeBudget = {
  threads: Math.max(1, Math.min(2, availableParallelism() - 1)),
  queue: 4,
  timeoutMs: 5000,
  startupMs: 60_000,
  heapMb: 192,
  rssGrowthMb: 384,
};

/** The pool is full: the caller should answer 503 with Retry-After. */
export class DecodeBusy extends Error {}
/** The task ran out of time or memory, or its worker died: nothing was read. */
export class DecodeOverBudget extends Error {}

/** The worker module beside this one, in the same form: `.ts` from source (through tsx), else `.js`. */
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER = new URL(`./decode-worker.${FROM_SOURCE ? 'ts' : 'js'}`, import.meta.url);
const WATCH_INTERVAL_MS = 25;

export interface DecodePoolOptions {
  /** How often the process's memory is sampled while tasks run (also checked when each task ends). */
  watchIntervalMs?: number;
}

/**
 * Decoding of untrusted files (pictures, PDFs, PixelPass payloads) off the event loop, in a
 * piscina worker pool with a budget per task. A task over its time or memory is aborted, which
 * terminates its worker (piscina starts a fresh one); workers exit when idle.
 */
export class DecodePool {
  private pool: Piscina | undefined;
  private readonly running = new Set<AbortController>();
  private watchdog: NodeJS.Timeout | undefined;
  private rssLimit = 0;
  private admitted = 0;
  /** Resolves once a worker has started; reset when one is terminated or exits idle. */
  private started: Promise<void> | undefined;

  private readonly watchIntervalMs: number;

  constructor(
    private readonly budget: DecodeBudget = DEFAULT_DECODE_BUDGET,
    options: DecodePoolOptions = {},
  ) {
    this.watchIntervalMs = options.watchIntervalMs ?? WATCH_INTERVAL_MS;
  }

  async run(task: DecodeTask): Promise<DecodeResult> {
    // Counted here, before any waiting: a task either has a place (a thread or the queue) or is refused.
    if (this.admitted >= this.budget.threads + this.budget.queue) throw new DecodeBusy('decode queue full');
    this.admitted++;
    try {
      const pool = this.start();
      // A task's time budget is for decoding, not for starting a worker (seconds on a busy machine).
      await this.warm(pool);
      return await this.submit(pool, task, this.budget.timeoutMs);
    } finally {
      this.admitted--;
    }
  }

  private warm(pool: Piscina): Promise<void> {
    this.started ??= this.submit(pool, { kind: 'pixelpass', text: '' }, this.budget.startupMs, false).then(
      () => undefined,
      (error: unknown) => {
        this.started = undefined;
        throw error;
      },
    );
    return this.started;
  }

  private async submit(
    pool: Piscina,
    task: DecodeTask,
    timeoutMs: number,
    watched = true,
  ): Promise<DecodeResult> {
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(new DecodeOverBudget('time')), timeoutMs);
    // A starting worker's memory (its modules) is not the task's: only tasks are watched.
    if (watched) this.watch(abort);
    let result: DecodeResult;
    try {
      result = (await pool.run(task, { signal: abort.signal })) as DecodeResult;
    } catch {
      this.started = undefined; // its worker is gone: the next task waits for a new one to start
      throw new DecodeOverBudget(abort.signal.aborted ? String(abort.signal.reason) : 'worker failed');
    } finally {
      clearTimeout(timer);
      this.running.delete(abort);
      if (this.running.size === 0) this.stopWatching();
    }
    // A task can finish between two samples of the watchdog: its growth is judged once more here, so
    // the verdict does not depend on timing. (Its worker keeps that memory until it exits idle.)
    if (watched && this.overMemory()) throw new DecodeOverBudget('memory');
    return result;
  }

  async close(): Promise<void> {
    this.stopWatching();
    await this.pool?.destroy();
    this.pool = undefined;
  }

  private start(): Piscina {
    if (this.pool) return this.pool;
    this.pool = new Piscina({
      filename: WORKER.href,
      minThreads: 0,
      maxThreads: this.budget.threads,
      idleTimeout: 30_000,
      // Workers load TypeScript like the process does: through tsx, when running from source.
      ...(FROM_SOURCE ? { execArgv: ['--import', import.meta.resolve('tsx')] } : {}),
      resourceLimits: {
        maxOldGenerationSizeMb: this.budget.heapMb,
        maxYoungGenerationSizeMb: 16,
        stackSizeMb: 4,
      },
    });
    this.pool.on('workerDestroy', () => {
      this.started = undefined;
    });
    return this.pool;
  }

  /** Terminates the running tasks' workers if the process grows past the budget while they run. */
  private watch(abort: AbortController): void {
    if (this.running.size === 0) {
      this.rssLimit = process.memoryUsage.rss() + this.budget.rssGrowthMb * 1024 * 1024;
      this.watchdog = setInterval(() => {
        if (!this.overMemory()) return;
        for (const task of this.running) task.abort(new DecodeOverBudget('memory'));
      }, this.watchIntervalMs);
      this.watchdog.unref();
    }
    this.running.add(abort);
  }

  private overMemory(): boolean {
    return process.memoryUsage.rss() > this.rssLimit;
  }

  private stopWatching(): void {
    clearInterval(this.watchdog);
    this.watchdog = undefined;
  }
}
