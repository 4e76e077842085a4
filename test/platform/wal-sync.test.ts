import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { coalesced } from '../../src/platform/db/wal-sync.js';

const dir = mkdtempSync(join(tmpdir(), 'attesta-wal-sync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function isStraceAvailable(): boolean {
  try {
    execFileSync('strace', ['-V'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error('strace is required in CI (apt-get install -y strace)');
    process.stderr.write(
      '\n!!! strace not found: the WAL fsync ordering test is SKIPPED (apt-get install -y strace) !!!\n\n',
    );
    return false;
  }
}

interface Call {
  pid: number;
  call: string;
  /** The file the descriptor names (strace -y), or undefined. */
  file?: string;
  line: string;
}

/**
 * The system calls of a child that commits through the group commit and prints `ANSWER <id>` when
 * each commit resolves, in the order the kernel saw them (strace -f follows every thread).
 */
function traceCommits(url: string): { calls: Call[]; answers: number[]; mainPid: number } {
  const run = spawnSync(
    'strace',
    [
      '-f',
      '-qq',
      '-y',
      '-e',
      'trace=write,pwrite64,writev,fsync,fdatasync',
      '-e',
      'signal=none',
      process.execPath,
      '--import',
      'tsx',
      'test/platform/fixtures/commit-and-answer.ts',
      url,
      '3',
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  expect(run.status, run.stderr.slice(-2000)).toBe(0);
  expect(run.stdout.match(/^ANSWER /gm)?.length).toBe(9);
  const calls: Call[] = [];
  for (const line of run.stderr.split('\n')) {
    const match = /^(?:\[pid\s+(\d+)\] )?(\w+)\((\d+)(?:<([^>]*)>)?/.exec(line);
    if (!match) continue;
    calls.push({ pid: Number(match[1] ?? 0), call: match[2] as string, file: match[4], line });
  }
  const answers = calls.flatMap((c, i) => (c.call === 'write' && /"ANSWER /.test(c.line) ? [i] : []));
  // The answers are written by the main thread (the event loop's).
  const mainPid = calls[answers[0] ?? -1]?.pid ?? -1;
  return { calls, answers, mainPid };
}

describe('SQLite group commit: durable before the answer, without blocking the event loop', () => {
  it('every answer follows an fdatasync of the WAL issued after its commit, on a thread-pool thread', (context) => {
    if (!isStraceAvailable()) return context.skip();
    const path = join(dir, 'full.sqlite');
    const { calls, answers, mainPid } = traceCommits(`sqlite:${path}`);
    const wal = `${path}-wal`;
    const isWalWrite = (c: Call) => c.file === wal && (c.call === 'pwrite64' || c.call === 'write');
    const isWalSync = (c: Call) => c.file === wal && (c.call === 'fdatasync' || c.call === 'fsync');
    expect(answers.length).toBe(9);
    for (const answer of answers) {
      const lastWalWrite = calls.findLastIndex((c, i) => i < answer && isWalWrite(c));
      expect(lastWalWrite).toBeGreaterThanOrEqual(0);
      // A sync of the WAL came after the last frames written before this answer...
      const sync = calls.findLastIndex((c, i) => i < answer && isWalSync(c));
      expect(sync, calls[answer]?.line).toBeGreaterThan(lastWalWrite);
      // ...on a thread of libuv's pool, not inside COMMIT on the event loop's thread.
      expect(calls[sync]?.pid, calls[sync]?.line).not.toBe(mainPid);
    }
  });

  it('?synchronous=normal trades the sync away: no fsync of the WAL before the answers', (context) => {
    if (!isStraceAvailable()) return context.skip();
    const path = join(dir, 'normal.sqlite');
    const { calls, answers } = traceCommits(`sqlite:${path}?synchronous=normal`);
    expect(answers.length).toBe(9);
    // The table's creation and the final checkpoint at close may sync; the commits themselves do not.
    const syncsBetween = calls
      .slice(answers[0], answers.at(-1))
      .filter((c) => c.file === `${path}-wal` && (c.call === 'fdatasync' || c.call === 'fsync'));
    expect(syncsBetween).toEqual([]);
  });
});

describe('WAL syncs shared between callers (coalesced)', () => {
  /** A sync that ends when told to; records when each run started and which callers had asked by then. */
  function controlledSync() {
    const runs: { asked: number; end: (error?: Error) => void }[] = [];
    let asked = 0;
    const sync = coalesced(
      () =>
        new Promise<void>((resolve, reject) => {
          runs.push({ asked, end: (error) => (error ? reject(error) : resolve()) });
        }),
    );
    const call = () => {
      asked += 1;
      const order = asked;
      const settled = { value: undefined as 'ok' | 'failed' | undefined, byRun: -1 };
      const promise = sync().then(
        () => {
          settled.value = 'ok';
          settled.byRun = runs.length - 1;
        },
        () => {
          settled.value = 'failed';
        },
      );
      return { order, settled, promise };
    };
    return { runs, call };
  }
  const turn = () => new Promise((resolve) => setImmediate(resolve));

  it('starts a sync at once when none runs, and has every caller during it wait for one that starts after it', async () => {
    const { runs, call } = controlledSync();
    const first = call();
    expect(runs.length).toBe(1);
    const during = [call(), call(), call()];
    await turn();
    // One sync for the three, not yet started: the running one may have begun before their frames.
    expect(runs.length).toBe(1);
    runs[0]?.end();
    await turn();
    expect(first.settled.value).toBe('ok');
    expect(runs.length).toBe(2);
    // The second run started after all three had asked.
    expect(runs[1]?.asked).toBe(4);
    for (const caller of during) expect(caller.settled.value).toBeUndefined();
    runs[1]?.end();
    await Promise.all(during.map((caller) => caller.promise));
    for (const caller of during) expect(caller.settled.value).toBe('ok');
    // Each caller was answered by a run that started after it asked.
    for (const caller of [first, ...during])
      expect(runs[caller.settled.byRun]?.asked ?? 0).toBeGreaterThanOrEqual(caller.order);
    // Idle again: the next caller starts its own at once.
    call();
    expect(runs.length).toBe(3);
  });

  it('fails the callers of a failed sync only; the next sync runs for those who came after', async () => {
    const { runs, call } = controlledSync();
    const first = call();
    const second = call();
    runs[0]?.end(new Error('EIO'));
    await first.promise;
    expect(first.settled.value).toBe('failed');
    await turn();
    expect(runs.length).toBe(2);
    runs[1]?.end();
    await second.promise;
    expect(second.settled.value).toBe('ok');
  });
});
