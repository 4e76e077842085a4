// The services under load run in their own process, so the load generator does not share their event
// loop; their CPU time and resident memory are read from /proc for per-operation figures.
import { type ChildProcess, fork } from 'node:child_process';
import { readFileSync } from 'node:fs';

export async function startServices(config: unknown): Promise<ChildProcess> {
  const child = fork(new URL('./system-process.ts', import.meta.url), {
    execArgv: [
      '--import',
      'tsx',
      ...(process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=bench/profiles'] : []),
    ],
    env: { ...process.env, ATTESTA_BENCH_CONFIG: JSON.stringify(config) },
  });
  await new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code) => reject(new Error(`services exited with ${code}`)));
  });
  return child;
}

export async function stopServices(child: ChildProcess): Promise<void> {
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.send({ stop: true });
  await exited;
}

/** CPU time (user + system, ms) and resident memory (MB) of a process, from /proc (Linux). */
export function processUsage(pid: number): { cpuMs: number; rssMb: number } {
  // /proc/<pid>/stat: fields 14 and 15 are utime and stime in clock ticks (USER_HZ = 100 on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
  return { cpuMs: ticks * 10, rssMb: rssKb / 1024 };
}

/** Samples a process's resident memory until stopped; returns the peak in MB. */
export function watchPeakRss(pid: number, intervalMs = 100): () => number {
  let peak = processUsage(pid).rssMb;
  const timer = setInterval(() => {
    peak = Math.max(peak, processUsage(pid).rssMb);
  }, intervalMs);
  return () => {
    clearInterval(timer);
    return Math.max(peak, processUsage(pid).rssMb);
  };
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}
