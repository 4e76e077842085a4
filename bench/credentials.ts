// `npm run bench` (issue 14): Attesta's issuer beside a reference issuer on oidc-provider's
// `features.openid4vci` (bench/peer/issuer.js), driven by one load client in its own process
// (bench/load/client.js) in alternating windows (warm-up, then A B B A …), with the raw node:crypto
// cost of the same steps measured alone. Per side: credentials/s, latency p50/p90/p99, errors and
// server CPU ms per credential (CPU time of the server's process tree over the window ÷ credentials),
// and their ratios. Any error fails the run (exit status 1) after the table is printed.
import { readFileSync, rmSync } from 'node:fs';
import { Agent } from 'node:http';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../src/platform/config/index.js';
import { closeServer, serveClientJwks } from '../test/authz/helpers.js';
import { createPostgresDatabase } from '../test/helpers/databases.js';
import { freePort, testConfig } from '../test/helpers/system.js';
import { discover, newClientKey, type SignInClient, signIn } from './load/sign-in.js';
import { ensureBuilt, Helper, type Served, serveAttesta, treeCpuMs } from './processes.js';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
export const CONNECTIONS = env('BENCH_CONNECTIONS', 16);
export const WINDOWS = env('BENCH_WINDOWS', 3);
export const WINDOW_SECONDS = env('BENCH_WINDOW_SECONDS', 10);
export const WARMUP_SECONDS = env('BENCH_WARMUP_SECONDS', 5);
export const HOLDERS = env('BENCH_HOLDERS', 1000);
export const TOKENS = env('BENCH_TOKENS', 16);
const CONFIGURATION_ID = 'national_id_sd_jwt';

interface Target {
  nonceUrl: string;
  credentialUrl: string;
  audience: string;
  tokens: string[];
  configurationId: string;
  format: string;
  issuerJwk?: Record<string, unknown>;
  batch?: number;
  /** DPoP-bound tokens: the private JWK each token (same index) is bound to. */
  dpopKeys?: Record<string, unknown>[];
}

export interface Side<T = Target> {
  name: string;
  /** Server processes whose CPU counts (each with its descendants). */
  pids: () => number[];
  target: T;
}

/** One window of a load client (bench/load/client.js, bench/load/logins.js): operations completed. */
interface WindowResult {
  completed: number;
  elapsed: number;
  p50: number;
  p90: number;
  p99: number;
  errors: Record<string, number>;
}

export interface SideFigures {
  name: string;
  perSecond: number;
  p50: number;
  p90: number;
  p99: number;
  errors: number;
  errorKinds: Record<string, number>;
  /** Server CPU ms per operation (credential, sign-in). */
  cpuMsPerOperation: number;
  /** CPU ms of the load client's process per operation (its share of the machine while it drives this side). */
  clientCpuMsPerOperation: number;
  windows: { perSecond: number; cpuMsPerOperation: number; p99: number }[];
}

const IDENTITIES = (
  JSON.parse(readFileSync(join(import.meta.dirname, '../config/demo/identities.json'), 'utf8')) as {
    identities: Record<string, unknown>[];
  }
).identities;

/** The portal as the relying party of a sign-in at authz (its client id, callback, the issuer as resource). */
export function portalClient(config: Config, prompt?: string): Omit<SignInClient, 'key'> {
  const portal = config.authz.clients.find((c) => c.client_id === config.portal.clientId);
  return {
    clientId: config.portal.clientId,
    redirectUri: portal?.redirect_uris[0] ?? '',
    scope: 'openid national_id',
    resource: config.issuer.publicUrl,
    ...(prompt ? { prompt } : {}),
  };
}

/** The KBI login form's fields (field id → registry attribute), as configured. */
export const loginFields = (config: Config): Record<string, string> =>
  Object.fromEntries(config.authz.login.kbi.fields.map((field) => [field.id, field.attribute]));

/** Access tokens of Attesta's authz for the demo people in turn: each a full sign-in (bench/load/sign-in.js). */
export async function attestaTokens(config: Config, count: number): Promise<string[]> {
  return (await attestaTokenSet(config, count)).tokens;
}

/** The portal's key, one for the process: authz caches the portal's JWKS, so a second key would be refused. */
const PORTAL_KEY = newClientKey();

/**
 * As attestaTokens, for `scope` (default national_id), the demo people `who` match, and, with `dpop`, each token bound to a key of
 * its own (RFC 9449), returned beside it as a private JWK.
 */
export async function attestaTokenSet(
  config: Config,
  count: number,
  options: { scope?: string; dpop?: boolean; who?: (person: Record<string, unknown>) => boolean } = {},
): Promise<{ tokens: string[]; dpopKeys?: Record<string, unknown>[] }> {
  const key = PORTAL_KEY;
  const jwksServer = await serveClientJwks(config, [key.publicJwk]);
  const agent = new Agent({ keepAlive: true });
  try {
    const server = await discover(config.authz.publicUrl);
    const tokens: string[] = [];
    const dpopKeys: Record<string, unknown>[] = [];
    const client = portalClient(config);
    const people = IDENTITIES.filter(options.who ?? (() => true));
    for (let i = 0; i < count; i++) {
      const person = people[i % people.length] ?? {};
      const answers = Object.entries(loginFields(config)).map(([id, at]) => [id, String(person[at])]);
      const dpopKey = options.dpop ? newClientKey() : undefined;
      const signedIn = await signIn(
        server,
        {
          ...client,
          ...(options.scope ? { scope: `openid ${options.scope}` } : {}),
          key,
          ...(dpopKey ? { dpopKey } : {}),
        },
        Object.fromEntries(answers),
        agent,
      );
      tokens.push(signedIn.tokens.access_token);
      if (dpopKey) dpopKeys.push(dpopKey.privateJwk);
    }
    return { tokens, ...(options.dpop ? { dpopKeys } : {}) };
  } finally {
    agent.destroy();
    await closeServer(jwksServer);
  }
}

/** The peer's access tokens: its pre-authorized codes exchanged at its token endpoint. */
async function peerTokens(issuer: string, codes: string[]): Promise<string[]> {
  const tokens: string[] = [];
  for (const code of codes) {
    const response = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:pre-authorized_code',
        'pre-authorized_code': code,
        client_id: 'bench-wallet',
      }),
    });
    if (response.status !== 200) throw new Error(`peer token endpoint answered ${response.status}`);
    tokens.push(((await response.json()) as { access_token: string }).access_token);
  }
  return tokens;
}

export async function attestaIssuerJwk(issuer: string): Promise<Record<string, unknown>> {
  const metadata = (await (await fetch(`${issuer}/.well-known/jwt-vc-issuer`)).json()) as {
    jwks: { keys: Record<string, unknown>[] };
  };
  return metadata.jwks.keys.at(-1) as Record<string, unknown>;
}

async function runWindow<T>(
  load: Helper,
  side: Side<T>,
  seconds: number,
  connections: number,
): Promise<WindowResult & { cpuMs: number; clientCpuMs: number }> {
  const client = [load.child.pid as number];
  const before = treeCpuMs(side.pids());
  const clientBefore = treeCpuMs(client);
  const result = await load.ask<WindowResult>({ window: { target: side.target, connections, seconds } });
  const cpuMs = treeCpuMs(side.pids()) - before;
  return { ...result, cpuMs, clientCpuMs: treeCpuMs(client) - clientBefore };
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/** Warm-up, then `WINDOWS` windows per side in A B B A order (drift of a shared machine hits both alike). */
export async function alternate<T>(
  load: Helper,
  sides: Side<T>[],
  connections = CONNECTIONS,
): Promise<SideFigures[]> {
  for (const side of sides) await runWindow(load, side, WARMUP_SECONDS, connections);
  const results = new Map<string, (WindowResult & { cpuMs: number; clientCpuMs: number })[]>(
    sides.map((s) => [s.name, []]),
  );
  for (let round = 0; round < WINDOWS; round++) {
    const order = round % 2 === 0 ? sides : sides.toReversed();
    for (const side of order)
      results.get(side.name)?.push(await runWindow(load, side, WINDOW_SECONDS, connections));
  }
  return sides.map((side) => {
    const windows = results.get(side.name) ?? [];
    const completed = windows.reduce((sum, w) => sum + w.completed, 0);
    const errorKinds: Record<string, number> = {};
    for (const w of windows)
      for (const [kind, n] of Object.entries(w.errors)) errorKinds[kind] = (errorKinds[kind] ?? 0) + n;
    return {
      name: side.name,
      perSecond: completed / windows.reduce((sum, w) => sum + w.elapsed, 0),
      p50: median(windows.map((w) => w.p50)),
      p90: median(windows.map((w) => w.p90)),
      p99: median(windows.map((w) => w.p99)),
      errors: Object.values(errorKinds).reduce((a, b) => a + b, 0),
      errorKinds,
      cpuMsPerOperation: windows.reduce((sum, w) => sum + w.cpuMs, 0) / Math.max(1, completed),
      clientCpuMsPerOperation: windows.reduce((sum, w) => sum + w.clientCpuMs, 0) / Math.max(1, completed),
      windows: windows.map((w) => ({
        perSecond: w.completed / w.elapsed,
        cpuMsPerOperation: w.cpuMs / Math.max(1, w.completed),
        p99: w.p99,
      })),
    };
  });
}

export interface AttestaUnderLoad {
  config: Config;
  dataDir: string;
  authz: Served;
  issuer: Served;
  tokens: string[];
  issuerJwk: Record<string, unknown>;
  stop(): Promise<void>;
}

/** authz and the issuer, each `attesta serve` from dist/ with production overload limits; tokens from real sign-ins. */
/** `BENCH_PROFILE=1`: the servers write V8 CPU profiles to bench/profiles/ when they stop. */
export const PROFILE_ARGS = process.env.BENCH_PROFILE
  ? ['--cpu-prof', `--cpu-prof-dir=${join(import.meta.dirname, 'profiles')}`]
  : [];

export async function startAttesta(
  options: { issuerArgs?: string[]; overrides?: Record<string, unknown>; issuerDatabase?: string } = {},
): Promise<AttestaUnderLoad> {
  const base = (await import('../src/platform/config/index.js')).loadConfig({ env: {} });
  const { config, dataDir } = await testConfig({
    services: ['authz', 'issuer'],
    ...(options.issuerDatabase ? { databases: { issuer: options.issuerDatabase } } : {}),
    overrides: { log: { level: 'warn' }, overload: base.overload, ...options.overrides },
  });
  const authz = await serveAttesta(config, dataDir, 'authz');
  let issuer: Served | undefined;
  try {
    issuer = await serveAttesta(config, dataDir, 'issuer', options.issuerArgs, PROFILE_ARGS);
    const tokens = await attestaTokens(config, TOKENS);
    const issuerJwk = await attestaIssuerJwk(config.issuer.publicUrl);
    const running = issuer;
    return {
      config,
      dataDir,
      authz,
      issuer: running,
      tokens,
      issuerJwk,
      async stop() {
        await running.stop();
        await authz.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await issuer?.stop();
    await authz.stop();
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function startPeer(): Promise<{ peer: Helper; side: Side }> {
  const port = await freePort();
  const { helper: peer, hello } = await Helper.fork(
    join(import.meta.dirname, 'peer/issuer.js'),
    { PEER_CONFIG: JSON.stringify({ port, codes: TOKENS }) },
    PROFILE_ARGS,
  );
  const issuer = hello.issuer as string;
  const side: Side = {
    name: 'peer (oidc-provider openid4vci)',
    pids: () => [peer.child.pid as number],
    target: {
      nonceUrl: `${issuer}/challenge`,
      credentialUrl: `${issuer}/credential`,
      audience: issuer,
      tokens: await peerTokens(issuer, hello.codes as string[]),
      configurationId: CONFIGURATION_ID,
      format: 'dc+sd-jwt',
      issuerJwk: hello.issuerJwk as Record<string, unknown>,
    },
  };
  return { peer, side };
}

export function attestaSide(attesta: AttestaUnderLoad, name = 'Attesta', target: Partial<Target> = {}): Side {
  const issuer = attesta.config.issuer.publicUrl;
  return {
    name,
    pids: () => [attesta.issuer.child.pid as number],
    target: {
      nonceUrl: `${issuer}/nonce`,
      credentialUrl: `${issuer}/credential`,
      audience: issuer,
      tokens: attesta.tokens,
      configurationId: CONFIGURATION_ID,
      format: 'dc+sd-jwt',
      issuerJwk: attesta.issuerJwk,
      ...target,
    },
  };
}

export async function startLoadClient(): Promise<Helper> {
  const { helper } = await Helper.fork(join(import.meta.dirname, 'load/client.js'));
  await helper.ask({ holders: HOLDERS });
  return helper;
}

const loadAverage = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');

export const machine = () =>
  `${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, load average ${loadAverage()}`;

/** The table's last line: the machine as the run began (`machine()`) and its load as it ends. */
export const machineLine = (started: string) =>
  `Machine at start: ${started}; at end: load average ${loadAverage()}.`;

/** Prints each side's error kinds; true when any side had one (the run then exits 1). */
export function reportErrors(
  figures: readonly { name: string; errors: number; errorKinds: unknown }[],
): boolean {
  const failing = figures.filter((s) => s.errors > 0);
  for (const s of failing) process.stdout.write(`\n${s.name} errors: ${JSON.stringify(s.errorKinds)}\n`);
  return failing.length > 0;
}

export const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

export function sideRows(figures: SideFigures[]): string[] {
  return figures.map(
    (s) =>
      `| ${s.name} | ${f(s.perSecond)} | ${f(s.p50, 1)} / ${f(s.p90, 1)} / ${f(s.p99, 1)} ms | ${s.errors} | ${f(s.cpuMsPerOperation, 3)} | ${s.windows.map((w) => `${f(w.perSecond)}/s ${f(w.cpuMsPerOperation, 2)} ms`).join(', ')} |`,
  );
}

export const SIDE_HEADER = [
  '| side | credentials/s | latency p50 / p90 / p99 | errors | server CPU ms per credential | windows (credentials/s, CPU ms) |',
  '| --- | --- | --- | --- | --- | --- |',
];

/** `--workers 1,2`: one Attesta per count (`serve issuer --workers N`); without it, serve's default (one per core). */
export function workerCounts(args: string[]): (number | undefined)[] {
  const at = args.indexOf('--workers');
  if (at < 0) return [undefined];
  const counts = (args[at + 1] ?? '').split(',').map(Number);
  if (!counts.length || counts.some((n) => !Number.isInteger(n) || n < 1))
    throw new Error('--workers takes counts such as 1,2');
  return counts;
}

/** `--db postgres`: the issuer on PostgreSQL too, beside SQLite (a fresh database per Attesta, dropped after). */
export function databases(args: string[]): ('sqlite' | 'postgres')[] {
  const at = args.indexOf('--db');
  if (at < 0) return ['sqlite'];
  if (args[at + 1] !== 'postgres') throw new Error('--db takes postgres');
  return ['sqlite', 'postgres'];
}

/**
 * What these costs allow on this machine (issue 14 item 3). The load client runs on the same cores, so
 * no side can pass cores × 1000 ÷ (its server CPU + the client's CPU per credential) credentials/s, and
 * twice the peer's rate needs a server CPU per credential under cores × 1000 ÷ (2 × peer rate) − client CPU.
 */
export function ceilingRows(figures: SideFigures[], peer: SideFigures): string[] {
  const cores = cpus().length;
  const twicePeerBudget = (client: number) => (cores * 1000) / (2 * peer.perSecond) - client;
  return [
    `| side | server CPU ms per credential | load client CPU ms per credential | ceiling on ${cores} cores (credentials/s) | server CPU ms per credential that 2× the peer's rate would need |`,
    '| --- | --- | --- | --- | --- |',
    ...figures.map(
      (s) =>
        `| ${s.name} | ${f(s.cpuMsPerOperation, 3)} | ${f(s.clientCpuMsPerOperation, 3)} | ${f((cores * 1000) / (s.cpuMsPerOperation + s.clientCpuMsPerOperation))} | ${s === peer ? '' : f(twicePeerBudget(s.clientCpuMsPerOperation), 3)} |`,
    ),
  ];
}

export async function run(args: string[] = []): Promise<void> {
  await ensureBuilt();
  const load = await startLoadClient();
  const counts = workerCounts(args);
  const attestas: { attesta: AttestaUnderLoad; workers: number; db: string; drop?: () => Promise<void> }[] =
    [];
  for (const db of databases(args)) {
    for (const workers of counts) {
      const issuerArgs = workers === undefined ? [] : ['--workers', String(workers)];
      const postgres = db === 'postgres' ? await createPostgresDatabase() : undefined;
      const attesta = await startAttesta({ issuerArgs, issuerDatabase: postgres?.url });
      attestas.push({ attesta, workers: workers ?? cpus().length, db, drop: postgres?.drop });
    }
  }
  const { peer, side: peerSide } = await startPeer();
  let failed = false;
  try {
    const started = machine();
    const plural = (n: number) => `${n} worker${n === 1 ? '' : 's'}`;
    const sides = [
      ...attestas.map(({ attesta, workers, db }) =>
        attestaSide(attesta, `Attesta (${db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${plural(workers)})`),
      ),
      peerSide,
    ];
    const figures = await alternate(load, sides);
    const p = figures[figures.length - 1] as SideFigures;
    const raw = await load.ask<{ label: string; cpuMs: number }[]>({ raw: { kinds: ['sd-jwt-bearer'] } });
    const rawSdJwt = raw[0]?.cpuMs ?? Number.NaN;
    const ratios = figures
      .slice(0, -1)
      .flatMap((a) => [
        `| ratio ${a.name} / peer | throughput ${f(a.perSecond / p.perSecond, 2)}× | p99 ${f(a.p99 / p.p99, 2)}× | | CPU per credential ${f(a.cpuMsPerOperation / p.cpuMsPerOperation, 2)}× | |`,
        `| raw node:crypto of Attesta's steps (token verify + proof import/verify + SD-JWT sign) | | | | ${f(rawSdJwt, 3)} ms | ${a.name} ${f(a.cpuMsPerOperation / rawSdJwt, 2)}× the raw cost |`,
      ]);
    const rows = [
      `Credential endpoint: nonce + credential per credential, dc+sd-jwt (${CONFIGURATION_ID}, 12 disclosures), Bearer, ${CONNECTIONS} connections, ${HOLDERS} holder keys, ${WINDOWS} × ${WINDOW_SECONDS} s windows per side after ${WARMUP_SECONDS} s warm-up`,
      '',
      ...SIDE_HEADER,
      ...sideRows(figures),
      '',
      ...ratios,
      '',
      ...ceilingRows(figures, p),
      '',
      machineLine(started),
    ];
    process.stdout.write(`\n${rows.join('\n')}\n`);
    if (reportErrors(figures)) failed = true;
  } finally {
    await load.stop();
    await peer.stop();
    for (const { attesta, drop } of attestas) {
      await attesta.stop();
      await drop?.();
    }
  }
  if (failed) {
    process.stderr.write('bench: some responses were not a 200 with a credential bound to the proof key\n');
    process.exitCode = 1;
  }
}
