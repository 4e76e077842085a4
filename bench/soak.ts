// `npm run bench -- soak` (issue 14 item 5): memory and a long run of `npm start`. The whole system as
// `npm start` runs it (`node <its flags> dist/cli.js start --config <file>`: authz, issuer and portal in one
// process on SQLite files in a fresh data folder, the default log level and overload limits), driven
// by bench/load/client.js at c=16 for BENCH_SOAK_SECONDS after a warm-up, in back-to-back 10 s
// windows. After each window: RSS of the process tree (sampled every second under load), credentials/s
// and p99, the size of each service's SQLite files, ledger and nonce rows. Beside the load, the bench
// asks for nonces it never uses (abandoned wallets): whatever rows the nonce store keeps (spent or
// unused nonces) must be swept once expired. Any failed credential
// (503s of the overload guard are counted apart), a ledger row count that differs from the credentials
// issued, or nonce rows beyond what the TTL allows, fail the run (exit status 1) after the tables.
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { loadConfig } from '../src/platform/config/index.js';
import { freePort, testConfig } from '../test/helpers/system.js';
import { attestaIssuerJwk, attestaTokens, machine, startLoadClient } from './credentials.js';
import { ensureBuilt, type Helper, reachable, terminate, treeCpuMs, treeRssMb } from './processes.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const SECONDS = env('BENCH_SOAK_SECONDS', 300);
const WARMUP_SECONDS = env('BENCH_SOAK_WARMUP_SECONDS', 90);
const CONNECTIONS = env('BENCH_CONNECTIONS', 16);
/** A shorter c_nonce lifetime than the default 300 s, so that nonce rows reach their steady state in 5 minutes. */
const NONCE_TTL = env('BENCH_SOAK_NONCE_TTL', 60);
const ABANDONED_PER_SECOND = env('BENCH_SOAK_ABANDONED', 5);
const INTERVAL_SECONDS = 10;
/** The nonce store sweeps expired rows at most once a minute, on a nonce request. */
const SWEEP_SLACK_SECONDS = 60 + INTERVAL_SECONDS;
const CONFIGURATION_ID = 'national_id_sd_jwt';
/** The rows a credential legitimately adds (issue 14 item 5). */
const CREDENTIAL_TABLES = [
  'issuer_ledger',
  'issuer_ledger_attributes',
  'issuer_status_entries',
  'issuer_notifications',
];

interface Window {
  /** Credentials issued and checked. */
  completed: number;
  elapsed: number;
  p99: number;
  errors: Record<string, number>;
  latencies: number[];
}

interface Sample {
  /** Seconds since the load started (warm-up included). */
  t: number;
  /** RSS at the window's last 1 s sample, and its highest. */
  rssMb: number;
  rssPeakMb: number;
  /** CPU time of the process tree over the window. */
  cpuMs: number;
  window: Window;
  /** Bytes on disk per service: db + -wal + -shm; the issuer's -wal alone. */
  files: Record<string, number>;
  issuerWal: number;
  ledgerRows: number;
  nonceRows: number;
  /** Nonces handed out since the load started (one per credential attempt, plus the abandoned ones). */
  noncesIssued: number;
}

/** Bytes per B-tree owner (a table with its indexes), with the file's page and free-page figures. */
interface Layout {
  tables: Map<string, { bytes: number; rows: number }>;
  pageBytes: number;
  freeBytes: number;
}

const size = (path: string) => statSync(path, { throwIfNoEntry: false })?.size ?? 0;

function sqliteFiles(dataDir: string): Record<string, number> {
  const sizes: Record<string, number> = {};
  for (const name of readdirSync(dataDir)) {
    const service = /^(\w+)\.sqlite(-wal|-shm)?$/.exec(name)?.[1];
    if (service) sizes[service] = (sizes[service] ?? 0) + size(join(dataDir, name));
  }
  return sizes;
}

const count = (db: SQLite.Database, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM "${table}"`).get() as { n: number }).n;

/** The nonce tables of whichever nonce store the issuer has (their names contain `nonce`). */
const nonceTables = (db: SQLite.Database) =>
  (
    db.prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name LIKE '%nonce%'").all() as {
      name: string;
    }[]
  ).map((r) => r.name);

/** Page bytes per table (its indexes included) from SQLite's dbstat, and rows per table. */
function layout(db: SQLite.Database): Layout {
  const rows = db
    .prepare(
      `SELECT coalesce(m.tbl_name, s.name) AS owner, sum(s.pgsize) AS bytes
       FROM dbstat AS s LEFT JOIN sqlite_schema AS m ON m.name = s.name GROUP BY owner`,
    )
    .all() as { owner: string; bytes: number }[];
  const tables = new Map<string, { bytes: number; rows: number }>();
  for (const { owner, bytes } of rows)
    tables.set(owner, { bytes, rows: owner.startsWith('sqlite_') ? 0 : count(db, owner) });
  const pragma = (name: string) => db.pragma(name, { simple: true }) as number;
  const pageSize = pragma('page_size');
  return {
    tables,
    pageBytes: pragma('page_count') * pageSize,
    freeBytes: pragma('freelist_count') * pageSize,
  };
}

const ROOT = join(import.meta.dirname, '..');
/** Extra node flags for the server, after npm start's own (`--trace-gc`, heap flags to compare). */
const EXTRA_NODE_ARGS = process.env.BENCH_SOAK_NODE_ARGS?.split(' ').filter(Boolean) ?? [];

/** The node flags of `npm start` (package.json: `exec node <flags> dist/cli.js start`). */
function startFlags(): string[] {
  const script = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }
  ).scripts.start;
  const flags = /^exec node ((?:--\S+ )*)dist\/cli\.js start$/.exec(script)?.[1];
  if (flags === undefined)
    throw new Error(`npm start's script is not \`exec node [flags] dist/cli.js start\`: ${script}`);
  return flags.split(' ').filter(Boolean);
}

/**
 * `node <npm start's flags> dist/cli.js start --config <file>`, as `npm start` runs it; stdout (the
 * log) counted, and kept in BENCH_SOAK_LOG when set.
 */
async function startAll(
  configFile: string,
  urls: string[],
): Promise<{ child: ChildProcess; logBytes: () => number }> {
  const nodeArgs = [...startFlags(), ...EXTRA_NODE_ARGS];
  const child = spawn(process.execPath, [...nodeArgs, 'dist/cli.js', 'start', '--config', configFile], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, NODE_ENV: 'production' },
  });
  // Not left behind if the bench dies.
  process.once('exit', () => child.kill('SIGKILL'));
  let bytes = 0;
  const keep = process.env.BENCH_SOAK_LOG ? createWriteStream(process.env.BENCH_SOAK_LOG) : undefined;
  child.stdout?.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    keep?.write(chunk);
  });
  for (const url of urls) await reachable(`${url}/health`, child);
  return { child, logBytes: () => bytes };
}

/** Asks for `perSecond` nonces a second and never uses them, until stopped; returns how many it got. */
function abandonNonces(nonceUrl: string, perSecond: number): { issued: () => number; stop(): void } {
  let issued = 0;
  const timer = setInterval(
    () =>
      void fetch(nonceUrl, { method: 'POST' })
        .then((r) => {
          if (r.ok) issued++;
          return r.arrayBuffer();
        })
        .catch(() => undefined),
    1000 / perSecond,
  );
  return { issued: () => issued, stop: () => clearInterval(timer) };
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};
const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '—');
const mb = (bytes: number) => f(bytes / 2 ** 20, 2);

export async function run(): Promise<void> {
  await ensureBuilt();
  const base = loadConfig({ env: {} });
  const made = await testConfig({ overrides: { log: base.log, overload: base.overload } });
  const { dataDir } = made;
  // The sign-ins come from a client of the bench's own (its JWKS on a port of the bench), since the
  // portal, running, holds the portal client's port and key.
  const benchPort = await freePort();
  const portalClient = made.config.authz.clients.find((c) => c.client_id === made.config.portal.clientId);
  const benchClient = {
    ...(portalClient as NonNullable<typeof portalClient>),
    client_id: 'soak-bench',
    client_name: 'soak bench',
    redirect_uris: [`http://localhost:${benchPort}/callback`],
    jwks_uri: `http://localhost:${benchPort}/jwks`,
  };
  const config = {
    ...made.config,
    // Tokens from the sign-ins before the load must outlive it.
    authz: {
      ...made.config.authz,
      clients: [...made.config.authz.clients, benchClient],
      accessTokenTtl: Math.max(600, WARMUP_SECONDS + SECONDS + 300),
    },
    issuer: { ...made.config.issuer, nonceTtl: NONCE_TTL },
  };
  const signIn = {
    ...config,
    authz: { ...config.authz, clients: [benchClient] },
    portal: { ...config.portal, clientId: benchClient.client_id, host: '127.0.0.1', port: benchPort },
  };
  const configFile = join(dataDir, 'attesta.json');
  writeFileSync(configFile, JSON.stringify(config));
  const issuer = config.issuer.publicUrl;
  const { child, logBytes } = await startAll(configFile, [
    config.authz.publicUrl,
    issuer,
    config.portal.publicUrl,
  ]);
  const pid = child.pid as number;
  let load: Helper | undefined;
  let failed = false;
  try {
    const target = {
      nonceUrl: `${issuer}/nonce`,
      credentialUrl: `${issuer}/credential`,
      audience: issuer,
      tokens: await attestaTokens(signIn, 16),
      configurationId: CONFIGURATION_ID,
      format: 'dc+sd-jwt',
      issuerJwk: await attestaIssuerJwk(issuer),
    };
    load = await startLoadClient();
    const client = load;
    const issuerDb = new SQLite(join(dataDir, 'issuer.sqlite'), { readonly: true, fileMustExist: true });
    const nonceRows = () => nonceTables(issuerDb).reduce((sum, t) => sum + count(issuerDb, t), 0);
    const started = machine();
    const t0 = performance.now();
    const abandoned = abandonNonces(target.nonceUrl, ABANDONED_PER_SECOND);
    let attempts = 0;
    const window = async (seconds: number): Promise<Sample> => {
      const rss: number[] = [];
      const timer = setInterval(() => rss.push(treeRssMb([pid])), 1000);
      const cpu = treeCpuMs([pid]);
      const result = await client.ask<Window>({
        window: { target, connections: CONNECTIONS, seconds, latencies: true },
      });
      clearInterval(timer);
      attempts += result.completed + Object.values(result.errors).reduce((a, b) => a + b, 0);
      return {
        t: (performance.now() - t0) / 1000,
        rssMb: rss.at(-1) ?? treeRssMb([pid]),
        rssPeakMb: Math.max(...rss, 0),
        cpuMs: treeCpuMs([pid]) - cpu,
        window: result,
        files: sqliteFiles(dataDir),
        issuerWal: size(join(dataDir, 'issuer.sqlite-wal')),
        ledgerRows: count(issuerDb, 'issuer_ledger'),
        nonceRows: nonceRows(),
        noncesIssued: attempts + abandoned.issued(),
      };
    };
    const warm = await window(WARMUP_SECONDS);
    const before = layout(issuerDb);
    const samples: Sample[] = [];
    let peakRss = warm.rssPeakMb;
    for (let t = 0; t < SECONDS; t += INTERVAL_SECONDS) {
      const sample = await window(Math.min(INTERVAL_SECONDS, SECONDS - t));
      peakRss = Math.max(peakRss, sample.rssPeakMb);
      samples.push(sample);
    }
    abandoned.stop();
    const after = layout(issuerDb);
    const last = samples.at(-1) ?? warm;
    const ended = `load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' / ')}`;

    const services = Object.keys(warm.files).sort();
    const every = samples.length > 36 ? 3 : 1;
    const row = (s: Sample, label = '') =>
      `| ${f(s.t)}${label} | ${f(s.rssMb)} (${f(s.rssPeakMb)}) | ${f(s.window.completed / s.window.elapsed)} | ${f(s.window.p99, 1)} | ${f(s.cpuMs / Math.max(1, s.window.completed), 2)} | ${services.map((n) => mb(s.files[n] ?? 0)).join(' | ')} | ${mb(s.issuerWal)} | ${s.ledgerRows} | ${s.nonceRows} |`;
    const rows = samples
      .filter((_, i) => i % every === every - 1 || i === samples.length - 1)
      .map((s) => row(s));

    // Credentials of the soak: every window after the warm-up; the ledger must have one row each.
    const windows = samples.map((s) => s.window);
    const issued = windows.reduce((sum, w) => sum + w.completed, 0);
    const errorKinds: Record<string, number> = {};
    for (const w of [warm.window, ...windows])
      for (const [kind, n] of Object.entries(w.errors)) errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
    // 503s are the overload guard shedding (with Retry-After), counted apart; anything else is a failure.
    const shedKinds = Object.keys(errorKinds).filter((kind) => / 503\b/.test(kind));
    const shed = shedKinds.reduce((sum, kind) => sum + (errorKinds[kind] ?? 0), 0);
    const errors = Object.values(errorKinds).reduce((a, b) => a + b, 0) - shed;
    const failures = Object.entries(errorKinds).filter(([kind]) => !shedKinds.includes(kind));
    const ledgerAdded = last.ledgerRows - warm.ledgerRows;

    // First and last minute of the soak: RSS (mean of the samples), p99 (of all their latencies).
    const minute = Math.max(1, Math.round(60 / INTERVAL_SECONDS));
    const first = samples.slice(0, minute);
    const final = samples.slice(-minute);
    const rssGrowth = mean(final.map((s) => s.rssMb)) / mean(first.map((s) => s.rssMb)) - 1;
    const p99 = (list: Sample[]) =>
      percentile(
        list.flatMap((s) => s.window.latencies),
        99,
      );

    // Database growth over the soak: on disk (every service's files) and per table (dbstat).
    const disk = (s: Sample) => Object.values(s.files).reduce((a, b) => a + b, 0);
    const perCredential = (bytes: number) => f(bytes / Math.max(1, issued));
    const grown = [...new Set([...before.tables.keys(), ...after.tables.keys()])]
      .map((table) => {
        const a = before.tables.get(table) ?? { bytes: 0, rows: 0 };
        const b = after.tables.get(table) ?? { bytes: 0, rows: 0 };
        return { table, bytes: b.bytes - a.bytes, rows: b.rows - a.rows };
      })
      .filter((g) => g.bytes !== 0 || g.rows !== 0)
      .sort((x, y) => y.bytes - x.bytes);
    const credentialBytes = grown
      .filter((g) => CREDENTIAL_TABLES.includes(g.table))
      .reduce((sum, g) => sum + g.bytes, 0);
    const pageGrowth = after.pageBytes - before.pageBytes;

    // Nonce rows may hold what was issued in the last TTL + sweep interval, nothing older.
    const horizon = last.t - NONCE_TTL - SWEEP_SLACK_SECONDS;
    const older = [warm, ...samples].filter((s) => s.t <= horizon).at(-1);
    const nonceBound = older ? last.noncesIssued - older.noncesIssued : undefined;
    const nonceOk = nonceBound === undefined || last.nonceRows <= nonceBound;

    const out = [
      `Soak: \`npm start\` (node ${[...startFlags(), ...EXTRA_NODE_ARGS].join(' ')} dist/cli.js start: authz + issuer + portal in one process, SQLite), nonce + credential (dc+sd-jwt, ${CONFIGURATION_ID}), Bearer, ${CONNECTIONS} connections, 1,000 holder keys, ${SECONDS} s after ${WARMUP_SECONDS} s warm-up, ${ABANDONED_PER_SECOND} abandoned nonces/s, nonce TTL ${NONCE_TTL} s`,
      '',
      `| t (s) | RSS MB at end (peak) | credentials/s | p99 ms | CPU ms/credential | ${services.map((n) => `${n} MB`).join(' | ')} | issuer WAL MB | ledger rows | nonce rows |`,
      `| --- | --- | --- | --- | --- | ${services.map(() => '---').join(' | ')} | --- | --- | --- |`,
      row(warm, ' (warm-up)'),
      ...rows,
      '',
      '| measure | value |',
      '| --- | --- |',
      `| credentials in the soak (ledger rows added) | ${issued} (${ledgerAdded}), ${f(issued / windows.reduce((a, w) => a + w.elapsed, 0))}/s, ${f(samples.reduce((a, s) => a + s.cpuMs, 0) / Math.max(1, issued), 2)} ms CPU per credential (the process tree) |`,
      `| failed requests (not a 200 bound to the proof key, not a 503) | ${errors}${errors ? ` ${JSON.stringify(Object.fromEntries(failures))}` : ''} |`,
      `| shed by the overload guard (503 with Retry-After) | ${shed} |`,
      `| peak RSS (process tree) | ${f(peakRss)} MB |`,
      `| RSS after warm-up → end | ${f(warm.rssMb)} → ${f(last.rssMb)} MB (${f((last.rssMb / warm.rssMb - 1) * 100, 1)} %) |`,
      `| RSS first minute → last minute (mean) | ${f(mean(first.map((s) => s.rssMb)))} → ${f(mean(final.map((s) => s.rssMb)))} MB (${f(rssGrowth * 100, 1)} %) |`,
      `| p99 first minute → last minute | ${f(p99(first), 1)} → ${f(p99(final), 1)} ms |`,
      `| files on disk, all services (db + wal + shm), after warm-up → end | ${mb(disk(warm))} → ${mb(disk(last))} MB: ${perCredential(disk(last) - disk(warm))} bytes per credential |`,
      `| issuer database pages (page_count × page_size), of which free | ${mb(before.pageBytes)} → ${mb(after.pageBytes)} MB (${perCredential(pageGrowth)} bytes per credential), free ${mb(before.freeBytes)} → ${mb(after.freeBytes)} MB |`,
      `| credential rows (${CREDENTIAL_TABLES.join(', ')}; indexes included) | ${perCredential(credentialBytes)} bytes per credential: ${f((100 * credentialBytes) / Math.max(1, pageGrowth), 1)} % of the page growth |`,
      `| nonce rows at end (may hold the nonces of the last TTL + ${SWEEP_SLACK_SECONDS} s) | ${last.nonceRows}${nonceBound === undefined ? ' (the run is shorter than that window: not checked)' : ` ≤ ${nonceBound}: ${nonceOk ? 'yes' : 'NO'}`} |`,
      `| log written to stdout | ${perCredential(logBytes())} bytes per credential |`,
      '',
      '| issuer table (with its indexes) | rows added | bytes added | bytes per credential |',
      '| --- | --- | --- | --- |',
      ...grown.map((g) => `| ${g.table} | ${g.rows} | ${g.bytes} | ${perCredential(g.bytes)} |`),
      '',
      `Machine at start: ${started}; at end: ${ended}.`,
    ];
    process.stdout.write(`\n${out.join('\n')}\n`);
    issuerDb.close();
    if (errors > 0 || ledgerAdded !== issued || !nonceOk) failed = true;
  } finally {
    await load?.stop();
    await terminate(child);
    rmSync(dataDir, { recursive: true, force: true });
  }
  if (failed) {
    process.stderr.write(
      'bench: a failed credential, a ledger row count unlike the credentials, or unswept nonces\n',
    );
    process.exitCode = 1;
  }
}
