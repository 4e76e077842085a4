import { parseArgs } from 'node:util';
import { type Config, loadConfig, type ServiceName } from '../platform/config/index.js';
import { demoIdentities } from '../platform/registry/index.js';
import { type RunningSystem, startSystem } from '../system.js';
import type { Out } from './commands.js';
import { SERVE_USAGE, START_USAGE } from './usage.js';
import {
  defaultWorkers,
  type IssuerWorkers,
  isIssuerWorker,
  parseWorkers,
  startIssuerWorkers,
  turnToListen,
  workerStopRequested,
} from './workers.js';

/** Options of `start` and `serve`, one table: a new one is one entry here and one line in the usage. */
const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c' },
  /** Issuer processes (issue 14): `serve issuer` defaults to one per core, `start` to one. */
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

/** A forked issuer worker (src/cli/workers.ts): the issuer alone, listening when every sibling is built. */
async function runWorker(config: Config): Promise<number> {
  const signal = workerStopRequested();
  const system = await startSystem(config, ['issuer'], undefined, turnToListen);
  await signal;
  await system.stop();
  return 0;
}

/**
 * The named services in this process, except the issuer when it has `workers` > 1: then it runs in
 * that many forked processes sharing its port, and this one starts, watches and stops them.
 */
async function run(config: Config, names: ServiceName[], workers: number, out: Out): Promise<number> {
  if (isIssuerWorker()) return runWorker(config);
  const signal = firstSignal();
  const forked = workers > 1 && names.includes('issuer');
  const inProcess = forked ? names.filter((n) => n !== 'issuer') : names;
  let pool: IssuerWorkers | undefined;
  let system: RunningSystem | undefined;
  try {
    if (inProcess.length) system = await startSystem(config, inProcess);
    if (forked) pool = await startIssuerWorkers(workers, out);
  } catch (error) {
    await system?.stop();
    throw error;
  }
  const urls = { ...(system?.urls ?? {}), ...(forked ? { issuer: config.issuer.publicUrl } : {}) };
  process.stdout.write(banner({ config, urls }));
  if (pool) out(`  (the issuer runs in ${pool.count} worker processes)`);
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
  if (values.workers !== undefined && target !== 'issuer') {
    process.stderr.write(`attesta serve: --workers is for the issuer only\nusage:\n${SERVE_USAGE}\n`);
    return 2;
  }
  const workers = parseWorkers(values.workers, target === 'issuer' ? defaultWorkers() : 1);
  return run(loadConfig({ file: values.config }), [target as ServiceName], workers, out);
}
