import { parseArgs } from 'node:util';
import { type Config, loadConfig, type ServiceName } from '../platform/config/index.js';
import { demoIdentities } from '../platform/registry/index.js';
import { type RunningSystem, startSystem } from '../system.js';
import type { Out } from './commands.js';
import { SERVE_USAGE, START_USAGE } from './usage.js';

/**
 * Options of `start` and `serve`, one table so that a new one (issue 14's `--workers N`) is one entry
 * here and one line in the usage.
 */
const SERVE_OPTIONS = {
  config: { type: 'string', short: 'c' },
} as const;

const SERVICES: readonly ServiceName[] = ['authz', 'issuer', 'portal'];

function banner(system: RunningSystem): string {
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

async function run(config: Config, names: ServiceName[], out: Out): Promise<number> {
  const signal = firstSignal();
  const system = await startSystem(config, names);
  process.stdout.write(banner(system));
  const received = await signal;
  out(
    `${received}: draining (${config.shutdown.drainSeconds} s), then finishing open requests (up to ${config.shutdown.graceSeconds} s) and closing…`,
  );
  await system.stop();
  return 0;
}

/** `attesta start`: authz, issuer and portal in this process; returns 0 after a clean stop. */
export async function startCommand(args: string[], out: Out): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: SERVE_OPTIONS });
  if (positionals.length) {
    process.stderr.write(`usage:\n${START_USAGE}\n`);
    return 2;
  }
  return run(loadConfig({ file: values.config }), [...SERVICES], out);
}

/** `attesta serve <service>`: one service alone. */
export async function serveCommand(args: string[], out: Out): Promise<number> {
  const { positionals, values } = parseArgs({ args, allowPositionals: true, options: SERVE_OPTIONS });
  const [target, ...rest] = positionals;
  if (!SERVICES.includes(target as ServiceName) || rest.length) {
    process.stderr.write(`usage:\n${SERVE_USAGE}\n`);
    return 2;
  }
  return run(loadConfig({ file: values.config }), [target as ServiceName], out);
}
