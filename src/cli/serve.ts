import { parseArgs } from 'node:util';
import { type Config, loadConfig, type ServiceName } from '../platform/config/index.js';
import { demoIdentities } from '../platform/registry/index.js';
import { type RunningSystem, startSystem } from '../system.js';
import type { Out } from './out.js';
import { SERVE_USAGE, START_USAGE } from './usage.js';
import {
  defaultWorkers,
  isWorker,
  parseWorkers,
  startWorkers,
  turnToListen,
  type WorkerService,
  type Workers,
  workerStopRequested,
} from './workers.js';

/** Options of `start` and `serve`, one table: a new one is one entry here and one line in the usage. */
const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  /** Issuer or authz processes (issue 14): `serve issuer` defaults to one per core, `serve authz` and `start` to one. */
  workers: { type: 'string', short: 'w' },
} as const;

const SERVICES: readonly ServiceName[] = ['authz', 'issuer', 'portal'];

function banner(system: Pick<RunningSystem, 'config'> & { urls: Partial<RunningSystem['urls']> }): string {
  const lines = ['', 'Attesta is running:'];
  for (const [name, url] of Object.entries(system.urls)) lines.push(`  ${name.padEnd(7)} ${url}`);
  if (system.urls.portal && system.config.registry.seedDemo) {
    const demo = demoIdentities()[0];
    if (demo) {
      lines.push('', `Open ${system.urls.portal} and log in with the demo person:`);
      lines.push(
        `  individual ID ${demo.individualId} · full name ${demo.fullName} · date of birth ${demo.birthDate}`,
      );
      lines.push('  (all demo people: config/demo/identities.json)');
    }
  }
  lines.push('', 'Ctrl-C stops.', '');
  return lines.join('\n');
}

/** Resolves with the first SIGTERM or SIGINT; a second one while stopping exits at once (status 1). */
function firstSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    let received = false;
    const on = (signal: NodeJS.Signals) => {
      if (received) {
        process.stderr.write(`${signal} again: exiting without waiting\n`);
        process.exit(1);
      }
      received = true;
      resolve(signal);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
}

function stopping(config: Config, received: NodeJS.Signals): string {
  return `${received}: draining (${config.shutdown.drainSeconds} s), then finishing open requests (up to ${config.shutdown.graceSeconds} s) and closing…`;
}

/** A forked worker (src/cli/workers.ts): its service alone, listening when every sibling is built. */
async function runWorker(config: Config, service: WorkerService): Promise<number> {
  const signal = workerStopRequested();
  const system = await startSystem(config, [service], undefined, turnToListen);
  await signal;
  await system.stop();
  return 0;
}

/**
 * Why authz cannot run as several processes with this configuration, or undefined. Its per-IP
 * sign-in limit would be counted by each worker in its own memory — N times the limit per address.
 */
export function authzWorkersProblem(config: Config): string | undefined {
  if (config.rateLimit.store !== 'memory') return undefined;
  return 'authz with --workers N > 1 needs rateLimit.store "database" or "redis" (ATTESTA_RATE_LIMIT__STORE): a "memory" per-IP sign-in limit would be counted by each worker apart';
}

/**
 * The named services in this process, except `forkable` (the issuer, or authz for `serve authz`)
 * when `workers` > 1: then it runs in that many forked processes sharing its port, and this one
 * starts, watches and stops them.
 */
async function run(
  config: Config,
  names: ServiceName[],
  workers: number,
  out: Out,
  forkable: WorkerService = 'issuer',
): Promise<number> {
  if (isWorker()) return runWorker(config, forkable);
  const forked = workers > 1 && names.includes(forkable);
  const problem = forked && forkable === 'authz' ? authzWorkersProblem(config) : undefined;
  if (problem) {
    process.stderr.write(`attesta serve: ${problem}
`);
    return 2;
  }
  const signal = firstSignal();
  const inProcess = forked ? names.filter((n) => n !== forkable) : names;
  let pool: Workers | undefined;
  let system: RunningSystem | undefined;
  try {
    if (inProcess.length) system = await startSystem(config, inProcess);
    if (forked) pool = await startWorkers(forkable, workers, out);
  } catch (error) {
    await system?.stop();
    throw error;
  }
  const urls = { ...(system?.urls ?? {}), ...(forked ? { [forkable]: config[forkable].publicUrl } : {}) };
  process.stdout.write(banner({ config, urls }));
  if (pool)
    out(`  (${forkable === 'issuer' ? 'the issuer' : 'authz'} runs in ${pool.count} worker processes)`);
  out(stopping(config, await signal));
  await pool?.stop();
  await system?.stop();
  return 0;
}

/** `attesta start`: authz, issuer and portal in this process; returns 0 after a clean stop. */
export async function startCommand(args: string[], out: Out): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: SERVE_OPTIONS });
  if (positionals.length) {
    process.stderr.write(`usage:\n${START_USAGE}\n`);
    return 2;
  }
  // One issuer process unless asked: the all-in-one start is the small deployment.
  return run(loadConfig({ file: values.config }), [...SERVICES], parseWorkers(values.workers, 1), out);
}

/** `attesta serve <service>`: one service alone. */
export async function serveCommand(args: string[], out: Out): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: SERVE_OPTIONS });
  const [target, ...rest] = positionals;
  if (!SERVICES.includes(target as ServiceName) || rest.length) {
    process.stderr.write(`usage:\n${SERVE_USAGE}\n`);
    return 2;
  }
  if (values.workers !== undefined && target !== 'issuer' && target !== 'authz') {
    process.stderr.write(
      `attesta serve: --workers is for the issuer and authz only\nusage:\n${SERVE_USAGE}\n`,
    );
    return 2;
  }
  const workers = parseWorkers(values.workers, target === 'issuer' ? defaultWorkers() : 1);
  const forkable = target === 'authz' ? 'authz' : 'issuer';
  return run(loadConfig({ file: values.config }), [target as ServiceName], workers, out, forkable);
}
