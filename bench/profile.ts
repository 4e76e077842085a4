// `npx tsx bench/profile.ts <file.cpuprofile> [operations]`: where a V8 CPU profile of a server spent
// its main-thread time, in the buckets docs/benchmarks.md reads (self time by the package or folder of
// the function), and per operation (credential, sign-in) when the count is given. Work on the thread
// pool (WebCrypto) shows as the caller's or as "(program)"; a better-sqlite3 call (fsync inside a
// COMMIT included) is its Kysely driver frame's self time. Time under module loading (start-up, a first
// dynamic import) is one bucket of its own, left out of the per-operation figures.
import { readFileSync } from 'node:fs';

interface Node {
  id: number;
  parent?: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  nodes: Node[];
  samples: number[];
  timeDeltas: number[];
}

const STARTUP = '(start-up: module loading)';
const BUCKETS: [string, RegExp][] = [
  [
    'SQLite (better-sqlite3 calls, incl. fsync)',
    /better-sqlite3|kysely\/dist\/esm\/dialect\/sqlite\/sqlite-driver/,
  ],
  ['Kysely (query building, driver)', /kysely/],
  ['pg (PostgreSQL driver)', /node_modules\/pg/],
  ['jose', /node_modules\/jose/],
  ['@sd-jwt', /@sd-jwt/],
  ['JSONata', /jsonata/],
  ['fastify / find-my-way / avvio', /fastify|find-my-way|avvio|light-my-request/],
  ['pino (logs)', /pino/],
  ['oidc-provider / koa', /oidc-provider|koa/],
  ['Attesta authz (src/authz)', /\/(src|dist)\/authz\//],
  ['Attesta issuer (src/issuer)', /\/issuer\//],
  ['Attesta credentials (src/credentials)', /\/credentials\//],
  ['Attesta platform (src/platform)', /\/platform\//],
  ['other packages', /node_modules/],
  ['node: http / net / streams', /node:(_http|http|net|stream|internal\/(http|streams|net|stream))/],
  ['node: crypto', /node:(crypto|internal\/crypto)/],
  ['node: other', /^node:/],
];

export function summarize(profile: Profile): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const node of profile.nodes)
    for (const child of node.children ?? []) (byId.get(child) as Node).parent = node.id;
  const loading = new Map<number, boolean>();
  const underModuleLoading = (id: number | undefined): boolean => {
    if (id === undefined) return false;
    let known = loading.get(id);
    if (known === undefined) {
      const node = byId.get(id);
      known = /^node:internal\/modules\//.test(node?.callFrame.url ?? '') || underModuleLoading(node?.parent);
      loading.set(id, known);
    }
    return known;
  };
  const totals = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const frame = byId.get(id)?.callFrame;
    const delta = (profile.timeDeltas[i] ?? 0) / 1000;
    let bucket = '(idle)';
    if (frame && frame.functionName !== '(idle)' && underModuleLoading(id)) bucket = STARTUP;
    else if (frame) {
      const name = frame.functionName;
      if (name === '(idle)') bucket = '(idle)';
      else if (name === '(garbage collector)') bucket = '(garbage collector)';
      else if (name === '(program)' || !frame.url) bucket = `(program / native: ${name || 'anonymous'})`;
      else bucket = BUCKETS.find(([, re]) => re.test(frame.url))?.[0] ?? 'other';
    }
    totals.set(bucket, (totals.get(bucket) ?? 0) + delta);
  });
  return totals;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [file, count] = process.argv.slice(2);
  if (!file) throw new Error('usage: bench/profile.ts <file.cpuprofile> [operations]');
  const totals = summarize(JSON.parse(readFileSync(file, 'utf8')) as Profile);
  const aside = new Set(['(idle)', STARTUP]);
  const busy = [...totals].filter(([k]) => !aside.has(k)).reduce((a, [, v]) => a + v, 0);
  const rows = [...totals].sort((a, b) => b[1] - a[1]).filter(([, ms]) => ms / busy > 0.005);
  const n = Number(count);
  process.stdout.write(`| bucket | main-thread ms | share of busy |${n ? ' ms per operation |' : ''}\n`);
  for (const [bucket, ms] of rows) {
    const share = aside.has(bucket) ? '' : `${((ms / busy) * 100).toFixed(1)} %`;
    const per = n && !aside.has(bucket) ? ` ${(ms / n).toFixed(3)} |` : n ? ' |' : '';
    process.stdout.write(`| ${bucket} | ${ms.toFixed(0)} | ${share} |${per}\n`);
  }
  if (n)
    process.stdout.write(
      `| busy (without start-up) | ${busy.toFixed(0)} | 100 % | ${(busy / n).toFixed(3)} |\n`,
    );
}
