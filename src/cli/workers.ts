import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';

/**
 * The issuer, or authz, as several processes (`--workers N`, issue 14): node:cluster workers sharing
 * one listening socket, each with its own event loop, database connection and key handles.
 * Everything that must hold across them lives in the database (the issuer's single-use nonces, codes
 * and DPoP jtis, status indices, ledger rows; authz's codes, PAR request_uris, replay jtis, sessions,
 * lockouts, and its per-IP sign-in counters, which need `rateLimit.store` database or redis); what
 * is kept in memory per process is a cache or a hint.
 */

const BUILT = 'attesta:worker-built';
const LISTEN = 'attesta:worker-listen';
const STOP = 'attesta:worker-stop';
/** A worker that dies this soon after its start is not restarted (a broken configuration, not a crash). */
const RESTART_MIN_UPTIME_MS = 10_000;

/** The services that may run as several worker processes. */
export type WorkerService = 'issuer' | 'authz';

/**
 * True in a process the primary forked. A worker runs the command line of its primary, so it finds
 * the service it is for (`serve authz`, `serve issuer`, `start`) as the primary did.
 */
export const isWorker = (): boolean => cluster.isWorker;

/** `--workers`: a whole number from 1 to 64; absent, `fallback`. */
export function parseWorkers(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const count = Number(value);
  if (!/^\d+$/.test(value) || count < 1 || count > 64)
    throw Object.assign(new Error(`--workers must be a whole number from 1 to 64, not ${value}`), {
      code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE',
    });
  return count;
}

/** The default of `serve issuer`: one worker per core. */
export const defaultWorkers = (): number => availableParallelism();

/**
 * In a worker, before it listens: tells the primary it is built, and resolves when the primary says
 * that every worker is — so the first connections spread over all of them, not the first one.
 */
export function turnToListen(): Promise<void> {
  return new Promise((resolve) => {
    const on = (message: unknown) => {
      if (message !== LISTEN) return;
      process.off('message', on);
      resolve();
    };
    process.on('message', on);
    process.send?.(BUILT);
  });
}

/** In a worker: resolves when it should stop (the primary says so, or is gone). Signals are the primary's to handle. */
export function workerStopRequested(): Promise<NodeJS.Signals> {
  // Ctrl-C reaches the whole process group; the primary answers it by asking each worker to stop.
  process.on('SIGINT', () => undefined);
  process.on('SIGTERM', () => undefined);
  return new Promise((resolve) => {
    process.on('message', (message) => message === STOP && resolve('SIGTERM'));
    process.once('disconnect', () => resolve('SIGTERM'));
  });
}

export interface Workers {
  count: number;
  /** Asks every worker to drain and stop, and resolves when all have exited. */
  stop(): Promise<void>;
}

function forkBuilt(service: WorkerService): Promise<Worker> {
  return new Promise((resolve, reject) => {
    const worker = cluster.fork();
    const onExit = (code: number | null, signal: string | null) =>
      reject(new Error(`${service} worker exited while starting (${signal ?? `status ${code}`})`));
    const onMessage = (message: unknown) => {
      if (message !== BUILT) return;
      worker.off('exit', onExit);
      worker.off('message', onMessage);
      resolve(worker);
    };
    worker.on('exit', onExit);
    worker.on('message', onMessage);
  });
}

function listening(worker: Worker): Promise<void> {
  return new Promise((resolve) => {
    worker.once('listening', () => resolve());
    worker.send(LISTEN);
  });
}

/**
 * In the primary: forks `count` workers of a service one after another — the first migrates the
 * database and creates missing keys, the next ones find them done — then lets all of them listen at
 * once. A worker that crashes later is replaced.
 */
export async function startWorkers(
  service: WorkerService,
  count: number,
  log: (line: string) => void,
): Promise<Workers> {
  const workers = new Set<Worker>();
  let stopping = false;
  try {
    for (let i = 0; i < count; i++) workers.add(await forkBuilt(service));
  } catch (error) {
    for (const worker of workers) worker.process.kill('SIGKILL');
    throw error;
  }
  await Promise.all([...workers].map(listening));
  const started = new Map([...workers].map((w) => [w, Date.now()]));
  cluster.on('exit', (worker, code, signal) => {
    workers.delete(worker);
    if (stopping) return;
    const uptime = Date.now() - (started.get(worker) ?? 0);
    log(`${service} worker ${worker.process.pid} exited (${signal ?? `status ${code}`})`);
    if (uptime < RESTART_MIN_UPTIME_MS) return;
    forkBuilt(service).then(
      async (replacement) => {
        workers.add(replacement);
        started.set(replacement, Date.now());
        await listening(replacement);
      },
      (error: unknown) => log(`${service} worker not replaced: ${(error as Error).message}`),
    );
  });
  return {
    count,
    async stop() {
      stopping = true;
      await Promise.all(
        [...workers].map(
          (worker) =>
            new Promise<void>((resolve) => {
              if (worker.isDead()) return resolve();
              worker.once('exit', () => resolve());
              worker.send(STOP);
            }),
        ),
      );
    },
  };
}
