// `npx tsx bench/sign-in-ab.ts <checkout> [sqlite|postgres] [sign-ins] [rounds]` (issue 14 item 4): two
// builds of authz — this checkout's dist/ and another checkout's (built there) — each started in turn
// as the login bench starts it, on a fresh database, and driven through the same number of complete
// sign-ins at c=8 (bench/load/sign-in.js, in this process) after 150 of warm-up, in alternating order
// round by round. Per round and build: authz's CPU per sign-in (its process tree, from /proc) and, on
// PostgreSQL, the CPU of the server processes serving its database (what `npm run bench -- logins`
// does not count: a change that moves work into PostgreSQL shows here). Fixed work instead of fixed
// windows, so the figure does not depend on the rate each build got from a shared machine.
import { readdirSync, readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { discover, newClientKey, signIn } from './load/sign-in.js';
import { startAuthz } from './logins.js';
import { treeCpuMs } from './processes.js';

const [checkout, dialect = 'sqlite', count = '400', roundCount = '4'] = process.argv.slice(2);
if (!checkout) throw new Error('usage: bench/sign-in-ab.ts <checkout> [sqlite|postgres] [sign-ins] [rounds]');
if (dialect !== 'sqlite' && dialect !== 'postgres') throw new Error('the database is sqlite or postgres');
const db: 'sqlite' | 'postgres' = dialect;
const total = Number(count);
const rounds = Number(roundCount);
const builds: [string, string | undefined][] = [
  ['this', undefined],
  ['base', checkout],
];
const people = JSON.parse(
  readFileSync(new URL('../config/demo/identities.json', import.meta.url), 'utf8'),
).identities;
/** CPU ms of the PostgreSQL server processes (on this machine) whose command line names `dbName`. */
function postgresCpuMs(dbName: string): number {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      if (!readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dbName)) continue;
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(f[11]) + Number(f[12]);
    } catch {
      // Gone between the listing and the read.
    }
  }
  return ticks * 10;
}
const results: Record<string, { authz: number[]; pg: number[] }> = {
  this: { authz: [], pg: [] },
  base: { authz: [], pg: [] },
};
for (let r = 0; r < rounds; r++) {
  for (const [name, root] of r % 2 ? [...builds].reverse() : builds) {
    const key = newClientKey();
    const authz = await startAuthz(key.publicJwk, db, undefined, 'memory', root);
    try {
      const target = authz.side.target;
      const server = await discover(target.issuer);
      const client = { ...target.client, key };
      let next = 0;
      let ok = 0;
      const flows = async (count: number) => {
        ok = 0;
        next = 0;
        const loop = async () => {
          const agent = new Agent({ keepAlive: true, maxSockets: 1 });
          while (next < count) {
            const person = people[next++ % people.length];
            const answers = Object.fromEntries(
              Object.entries(target.fields).map(([id, at]) => [id, person[at]]),
            );
            await signIn(server, client, answers as Record<string, string>, agent).then(
              () => ok++,
              () => undefined,
            );
          }
          agent.destroy();
        };
        await Promise.all(Array.from({ length: 8 }, loop));
      };
      await flows(150);
      const dbName = authz.database.split('/').pop()?.split('?')[0] ?? '-';
      const a0 = treeCpuMs(authz.side.pids());
      const p0 = postgresCpuMs(dbName);
      await flows(total);
      const a = (treeCpuMs(authz.side.pids()) - a0) / ok;
      const p = (postgresCpuMs(dbName) - p0) / ok;
      results[name]?.authz.push(a);
      results[name]?.pg.push(p);
      console.log(
        `round ${r} ${name}: ${ok} sign-ins, authz ${a.toFixed(3)} ms${db === 'postgres' ? `, postgres ${p.toFixed(3)} ms` : ''} per sign-in`,
      );
    } finally {
      await authz.stop();
    }
  }
}
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
for (const [name, r] of Object.entries(results))
  console.log(
    `${name}: authz ${mean(r.authz).toFixed(3)} ms${db === 'postgres' ? `, postgres ${mean(r.pg).toFixed(3)} ms` : ''} per sign-in (mean of ${rounds} rounds)`,
  );
