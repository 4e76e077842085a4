// `npx tsx bench/sign-in-writes.ts [sign-ins] [connections]` (issue 14 item 4): what complete sign-ins
// write to authz's SQLite file, page by page. authz runs as the login bench starts it (dist/, SQLite,
// synchronous=FULL); this process holds a read transaction on the file while the sign-ins run, so no
// checkpoint can restart the WAL, then reads the WAL's frame headers: frames (4 KB pages logged),
// commits, and for each b-tree (table or index, from SQLite's dbstat) the frames that held one of its
// pages, per sign-in. A page logged by several commits counts once per commit, as the WAL writes it.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import Database from 'better-sqlite3';
import { discover, newClientKey, signIn } from './load/sign-in.js';
import { startAuthz } from './logins.js';
import { ensureBuilt } from './processes.js';

const FRAME_HEADER = 24;
const WAL_HEADER = 32;

interface Frame {
  page: number;
  /** Non-zero on a commit's last frame: the database's size in pages after it. */
  commitSize: number;
}

function walFrames(file: string): Frame[] {
  const wal = readFileSync(file);
  if (wal.length < WAL_HEADER) return [];
  const pageSize = wal.readUInt32BE(8);
  const salt1 = wal.readUInt32BE(16);
  const frames: Frame[] = [];
  for (let at = WAL_HEADER; at + FRAME_HEADER + pageSize <= wal.length; at += FRAME_HEADER + pageSize) {
    // A frame of an earlier WAL generation (after a restart) has another salt: the end of this one.
    if (wal.readUInt32BE(at + 8) !== salt1) break;
    frames.push({ page: wal.readUInt32BE(at), commitSize: wal.readUInt32BE(at + 4) });
  }
  return frames;
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 400);
  const connections = Number(process.argv[3] ?? 8);
  await ensureBuilt();
  const key = newClientKey();
  const authz = await startAuthz(key.publicJwk, 'sqlite', undefined, 'memory');
  const file = authz.database.replace(/^sqlite:/, '');
  try {
    const target = authz.side.target;
    const server = await discover(target.issuer);
    const people = JSON.parse(
      readFileSync(new URL('../config/demo/identities.json', import.meta.url), 'utf8'),
    ).identities as Record<string, string>[];
    const client = { ...target.client, key };
    let next = 0;
    let failed = 0;
    // A flow the overload guard sheds (503) is not counted, and another takes its place.
    const flows = async (count: number) => {
      const loop = async () => {
        const agent = new Agent({ keepAlive: true, maxSockets: 1 });
        while (next < count) {
          const person = people[next++ % people.length] as Record<string, string>;
          const answers = Object.fromEntries(
            Object.entries(target.fields).map(([id, at]) => [id, person[at]]),
          );
          await signIn(server, client, answers as Record<string, string>, agent).catch(() => {
            failed++;
            next--;
          });
        }
        agent.destroy();
      };
      await Promise.all(Array.from({ length: connections }, loop));
    };
    // Warm-up: the table and its indexes grow past their first pages before counting.
    await flows(200);
    const reader = new Database(file);
    reader.pragma('wal_checkpoint(TRUNCATE)');
    const before = walFrames(`${file}-wal`).length;
    reader.prepare('begin').run();
    reader.prepare('select count(*) from sqlite_master').get();
    next = 0;
    failed = 0;
    await flows(total);
    reader.prepare('commit').run();
    const frames = walFrames(`${file}-wal`).slice(before);
    const owner = new Map<number, string>();
    for (const row of reader.prepare('select name, pageno from dbstat').all() as {
      name: string;
      pageno: number;
    }[])
      owner.set(row.pageno, row.name);
    const kinds = reader
      .prepare(
        'select kind, count(*) as n, cast(avg(length(payload)) as int) as bytes from oidc_models group by kind order by n desc',
      )
      .all() as { kind: string; n: number; bytes: number }[];
    reader.close();
    const commits = frames.filter((f) => f.commitSize > 0).length;
    const byTree = new Map<string, number>();
    for (const f of frames) {
      const name =
        f.page === 1 ? 'page 1 (header, schema root)' : (owner.get(f.page) ?? '(free list / freed)');
      byTree.set(name, (byTree.get(name) ?? 0) + 1);
    }
    const per = (n: number) => (n / total).toFixed(2);
    const lines = [
      `${total} sign-ins at c=${connections} after 200 of warm-up (${failed} shed by the overload guard and run again)`,
      '',
      `WAL frames per sign-in ${per(frames.length)}, commits per sign-in ${per(commits)}, frames per commit ${(frames.length / commits).toFixed(1)}`,
      '',
      '| b-tree | frames per sign-in |',
      '| --- | --- |',
      ...[...byTree].sort((a, b) => b[1] - a[1]).map(([name, n]) => `| ${name} | ${per(n)} |`),
      '',
      `rows left in oidc_models after ${total + 200} sign-ins, by kind (payload bytes on average):`,
      '',
      ...kinds.map((k) => `- ${k.kind}: ${k.n} rows, ${k.bytes} bytes`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
  } finally {
    await authz.stop();
  }
}

await main();
