import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../../src/platform/config/index.js';

const CLI = ['--import', 'tsx', 'src/cli.ts'];

/** How the child runs: through tsx from src/ (the default), or another entry and node flags. */
export interface Launch {
  /** Node arguments and entry, e.g. `['--import', preload, 'dist/cli.js']` for the build as `npm start` runs it. */
  cli?: string[];
  /** Environment added for the child (not ATTESTA_*: start-up refuses a variable it does not know). */
  env?: Record<string, string>;
}

/** The environment of a child `attesta`: ours without ATTESTA_* (the config file says everything). */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATTESTA_')));
  return { ...env, ...extra };
}

export interface ProcessSystem {
  /** The `attesta` process (to signal it). */
  pid: number;
  configFile: string;
  masterKey: string;
  /** Everything the process wrote to stdout and stderr so far. */
  output(): string;
  /** Runs an `attesta` admin command against the same configuration. */
  cli(args: string[]): string;
  /** SIGTERM, then waits for exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

/**
 * `attesta <command>` in its own process, as an operator starts it: the configuration in a file,
 * the master key in ATTESTA_MASTER_KEY, logs on stdout. Resolves once every started service
 * reports ready.
 */
export async function startProcessSystem(
  config: Config,
  dataDir: string,
  command: string[] = ['start'],
  urls: string[] = [config.authz.publicUrl, config.issuer.publicUrl, config.portal.publicUrl],
  launch: Launch = {},
): Promise<ProcessSystem> {
  const configFile = join(dataDir, 'attesta.json');
  writeFileSync(configFile, JSON.stringify(config, null, 2));
  const masterKey = randomBytes(32).toString('hex');
  const env = childEnv({ ATTESTA_MASTER_KEY: masterKey, ...launch.env });
  const child: ChildProcess = spawn(
    process.execPath,
    [...(launch.cli ?? CLI), ...command, '--config', configFile],
    {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Generous: three services start one after another, on a machine shared with other test files.
  const deadline = Date.now() + 150_000;
  for (const url of urls) {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`attesta exited ${child.exitCode}:\n${output}`);
      const answer = await fetch(`${url}/health/ready`).then(
        async (r) => ({ status: r.status, body: await r.text() }),
        (error: Error) => ({ status: 0, body: error.message }),
      );
      if (answer.status === 200) break;
      if (Date.now() > deadline) throw new Error(`${url} not ready: ${answer.body}\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    pid: child.pid as number,
    configFile,
    masterKey,
    output: () => output,
    cli(args) {
      const run = spawnSync(process.execPath, [...CLI, ...args, '--config', configFile], {
        env,
        encoding: 'utf8',
      });
      if (run.status !== 0) throw new Error(`attesta ${args.join(' ')}: ${run.stderr}${run.stdout}`);
      return run.stdout;
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Prometheus text format: the sum of the samples of `name` whose labels include `labels`. */
export function metricValue(text: string, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const found = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [
        m[1],
        m[2],
      ]),
    );
    if (Object.entries(labels).every(([k, v]) => found[k] === v)) sum += Number(match[3]);
  }
  return sum;
}
