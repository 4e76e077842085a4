import { readFileSync, rmSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Config } from '../../../src/platform/config/index.js';
import { createPostgresDatabase, isPostgresAvailable } from '../../helpers/databases.js';
import { killGroup, spawnCollecting } from '../../helpers/processes.js';
import { testConfig } from '../../helpers/system.js';

type Service = 'authz' | 'issuer';

export interface ServiceConfig {
  config: Config;
  dataDir: string;
  /** Removes the data directory and, on PostgreSQL, the database. */
  remove(): Promise<void>;
}

/**
 * The test configuration of `service` alone, its database on `dialect` (for PostgreSQL a fresh
 * database of its own); undefined when PostgreSQL is asked for and does not answer.
 */
export async function serviceConfigOn(
  service: Service,
  dialect: 'sqlite' | 'postgres',
): Promise<ServiceConfig | undefined> {
  if (dialect === 'postgres' && !(await isPostgresAvailable())) return undefined;
  const postgres = dialect === 'postgres' ? await createPostgresDatabase() : undefined;
  const { config, dataDir } = await testConfig({
    services: [service],
    ...(postgres ? { databases: { [service]: postgres.url } } : {}),
  });
  return {
    config,
    dataDir,
    async remove() {
      rmSync(dataDir, { recursive: true, force: true });
      await postgres?.drop();
    },
  };
}

/** Worker processes of a cluster primary (Linux: /proc/<pid>/task/<pid>/children). */
export function childrenOf(pid: number): number[] {
  const text = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return text ? text.split(' ').map(Number) : [];
}

/** `attesta serve <service> --workers 2` in production mode, its output collected. */
export function spawnTwoWorkers(service: Service, configFile: string) {
  return spawnCollecting(
    process.execPath,
    ['bin/attesta.js', 'serve', service, '--workers', '2', '--config', configFile],
    { ...process.env, NODE_ENV: 'production' },
  );
}

export interface RunningWorkers {
  /** The cluster primary's pid. */
  primary: number;
  /** SIGTERM to the primary; resolves once the primary has exited. Kills nothing. */
  terminate(): Promise<void>;
  /** `terminate`, then whatever is left of its process group is killed. */
  stop(): Promise<void>;
}

/**
 * Two workers of `service` behind one port, once the banner says both are built and listening
 * (a loop, not expect.poll: this runs in hooks). A process that exits or stays silent is killed.
 */
export async function startTwoWorkers(service: Service, configFile: string): Promise<RunningWorkers> {
  const run = spawnTwoWorkers(service, configFile);
  const primary = run.child.pid as number;
  for (let waited = 0; !run.output.stdout.includes('Ctrl-C stops'); waited += 200) {
    if (waited > 150_000 || run.child.exitCode !== null) {
      killGroup(run.child);
      throw new Error(`no banner: ${run.output.stdout}${run.output.stderr}`);
    }
    await sleep(200);
  }
  const terminate = async () => {
    if (run.child.exitCode === null) process.kill(primary, 'SIGTERM');
    await run.exited;
  };
  return {
    primary,
    terminate,
    async stop() {
      await terminate();
      killGroup(run.child);
    },
  };
}
