// Processes of a bench run: Attesta as an operator runs it (the compiled build, `node dist/cli.js
// serve <service> --config <file>`), forked helpers (peer, load client) spoken to over IPC, and the CPU
// time of a whole process tree (a service and its workers) from /proc.
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../src/platform/config/index.js';

const ROOT = join(import.meta.dirname, '..');

/** Builds dist/ when a source is newer (as `npm start` does). */
export async function ensureBuilt(): Promise<void> {
  const build = spawn(process.execPath, [join(ROOT, 'scripts/build.js'), '--if-stale'], { stdio: 'inherit' });
  const code = await new Promise((resolve) => build.once('exit', resolve));
  if (code !== 0) throw new Error(`npm run build failed (${code})`);
}

export interface Served {
  child: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Waits until `url` answers (any status), or the process exits. */
export async function reachable(url: string, child: ChildProcess, seconds = 120): Promise<void> {
  const deadline = Date.now() + seconds * 1000;
  let exited: number | null | undefined;
  child.once('exit', (code) => {
    exited = code;
  });
  while (Date.now() < deadline) {
    if (exited !== undefined) throw new Error(`${url}: the process exited with ${exited}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  throw new Error(`${url} did not answer within ${seconds} s`);
}

/** Stops a process with SIGTERM (as an orchestrator would) and waits for it to exit. */
export async function terminate(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  await exited;
  clearTimeout(timer);
}

/** `attesta serve <service>` from dist/, with the configuration written to a file in `dataDir`. */
export async function serveAttesta(
  config: Config,
  dataDir: string,
  service: 'authz' | 'issuer',
  extraArgs: string[] = [],
  execArgv: string[] = [],
  root = ROOT,
): Promise<Served> {
  const file = join(dataDir, `${service}-config.json`);
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(
    process.execPath,
    [...execArgv, join(root, 'dist/cli.js'), 'serve', service, '--config', file, ...extraArgs],
    { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, NODE_ENV: 'production' } },
  );
  const url = config[service].publicUrl;
  await reachable(`${url}/health`, child);
  return { child, url, stop: () => terminate(child) };
}

/** A forked helper that says `{ready}` first and then answers each message with one message. */
export class Helper {
  private queue: Promise<unknown> = Promise.resolve();
  private constructor(readonly child: ChildProcess) {}

  static async fork(
    path: string,
    env: Record<string, string> = {},
    execArgv: string[] = [],
  ): Promise<{ helper: Helper; hello: Record<string, unknown> }> {
    const child = fork(path, {
      env: { ...process.env, ...env },
      execArgv,
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    const hello = await new Promise<Record<string, unknown>>((resolve, reject) => {
      child.once('message', (message) => resolve(message as Record<string, unknown>));
      child.once('exit', (code) => reject(new Error(`${path} exited with ${code}`)));
    });
    return { helper: new Helper(child), hello };
  }

  ask<T>(message: Record<string, unknown>): Promise<T> {
    const next = this.queue.then(
      () =>
        new Promise<T>((resolve, reject) => {
          this.child.once('message', (answer: { ok: boolean; result?: T; error?: string }) =>
            answer.ok ? resolve(answer.result as T) : reject(new Error(answer.error)),
          );
          this.child.send(message);
        }),
    );
    this.queue = next.catch(() => undefined);
    return next;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.send({ stop: true });
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
}

function stat(pid: number): { ppid: number; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // After the command: state, ppid, …; utime and stime are fields 14 and 15 of the whole line.
    return { ppid: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined;
  }
}

/** The pid and every descendant (a supervisor and its workers). */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const s = stat(pid);
    if (s) children.set(s.ppid, [...(children.get(s.ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const walk = (pid: number) => {
    out.push(pid);
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(root);
  return out;
}

/** CPU time (user + system, ms) of the process trees: every thread of every process (USER_HZ = 100). */
export function treeCpuMs(roots: number[]): number {
  let ticks = 0;
  for (const root of roots) for (const pid of processTree(root)) ticks += stat(pid)?.ticks ?? 0;
  return ticks * 10;
}

/** Resident memory (MB) of the process trees, summed. */
export function treeRssMb(roots: number[]): number {
  let kb = 0;
  for (const root of roots)
    for (const pid of processTree(root)) {
      try {
        kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
      } catch {
        // exited meanwhile
      }
    }
  return kb / 1024;
}
