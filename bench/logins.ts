// `npm run bench -- logins [--db postgres]` (issue 14 item 4): complete sign-ins at c=8 against Attesta's
// authz beside a minimal oidc-provider login server (bench/peer/login.js), driven by one load client in
// its own process (bench/load/logins.js) in alternating windows. A flow: PAR with private_key_jwt and
// PKCE → authorize → login form (GET, POST; authz checks it against the registry) → consent page (GET,
// POST allow; `prompt=consent`, so a remembered consent does not skip it) → code → token with
// private_key_jwt. Per side: flows/s, p50/p90/p99 per flow, errors, server CPU ms per flow; ratios to
// the peer. authz runs as an operator runs it (`node dist/cli.js serve authz --config <file>`) on SQLite
// and, with `--db postgres`, also on a fresh PostgreSQL database; `--compare <checkout>` adds another
// build's authz beside it (on each of those databases). Any error fails the run (exit 1).
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type Config, loadConfig } from '../src/platform/config/index.js';
import { closeServer, serveClientJwks } from '../test/authz/helpers.js';
import { createPostgresDatabase } from '../test/helpers/databases.js';
import { freePort, testConfig } from '../test/helpers/system.js';
import {
  alternate,
  databases,
  loginFields,
  machine,
  machineLine,
  PROFILE_ARGS,
  portalClient,
  reportErrors,
  type Side,
  type SideFigures,
  sideRows,
  WARMUP_SECONDS,
  WINDOW_SECONDS,
  WINDOWS,
  workerCounts,
} from './credentials.js';
import type { ClientKey, SignInClient } from './load/sign-in.js';
import { ensureBuilt, Helper, type Served, serveAttesta } from './processes.js';

const CONNECTIONS = Number(process.env.BENCH_LOGIN_CONNECTIONS ?? 8);
/**
 * The per-IP sign-in limiter (authz.login.rateLimit; production: 60 POSTs per minute per IP) stays on
 * and counts every form post, but with a ceiling that one load address never reaches: the bench
 * measures sign-ins, not refusals.
 */
const SIGN_IN_LIMIT = { max: 10_000_000, windowSeconds: 60 };
const limiter = (store: 'memory' | 'database') =>
  `per-IP sign-in limiter: authz.login.rateLimit = { max: ${SIGN_IN_LIMIT.max}, windowSeconds: ${SIGN_IN_LIMIT.windowSeconds} } (production default 60 per 60 s), ${store === 'memory' ? 'in-memory store' : 'database store (--rate-limit-store database)'} with one process, database store (rateLimit.store = "database", shared by the workers) with --workers N > 1 — on, counting every form post, never reached from the one load address`;

interface LoginTarget {
  issuer: string;
  client: Omit<SignInClient, 'key'>;
  /** The login form's fields: field id → attribute of the person's registry record. */
  fields: Record<string, string>;
  /** The consent page must be shown and allowed in every flow. */
  consent: true;
}

interface Running {
  side: Side<LoginTarget>;
  stop(): Promise<void>;
}

/** An authz side, with the database URL it was started on. */
export interface RunningAuthz extends Running {
  database: string;
}

/** authz alone from dist/, production overload limits and consent settings, the sign-in limit lifted. */
export async function startAuthz(
  jwk: ClientKey['publicJwk'],
  db: 'sqlite' | 'postgres',
  workers: number | undefined,
  store: 'memory' | 'database',
  root?: string,
): Promise<RunningAuthz> {
  const postgres = db === 'postgres' ? await createPostgresDatabase() : undefined;
  const production = loadConfig({ env: {} });
  const { config: tested, dataDir } = await testConfig({
    services: ['authz'],
    ...(postgres ? { databases: { authz: postgres.url } } : {}),
    overrides: { log: { level: 'warn' }, overload: production.overload },
  });
  const login = {
    ...tested.authz.login,
    rateLimit: SIGN_IN_LIMIT,
    implicitConsentClients: production.authz.login.implicitConsentClients,
  };
  // Several processes count the per-IP limit in the database (a memory store is refused with --workers);
  // `--rate-limit-store database` counts there with one process too, to compare like with like.
  const rateLimit = { ...tested.rateLimit, store: workers && workers > 1 ? 'database' : store };
  const config: Config = { ...tested, rateLimit, authz: { ...tested.authz, login } };
  const jwks = await serveClientJwks(config, [jwk]);
  let authz: Served | undefined;
  const stop = async () => {
    await authz?.stop();
    await closeServer(jwks);
    rmSync(dataDir, { recursive: true, force: true });
    await postgres?.drop();
  };
  try {
    const args = workers ? ['--workers', String(workers)] : [];
    authz = await serveAttesta(config, dataDir, 'authz', args, PROFILE_ARGS, root);
  } catch (error) {
    await stop();
    throw error;
  }
  const client = portalClient(config, 'consent');
  const running = authz;
  return {
    side: {
      name: `authz (${db === 'sqlite' ? 'SQLite' : 'PostgreSQL'}${workers ? `, ${workers} worker${workers > 1 ? 's' : ''}` : ''}${root ? `, ${checkoutName(root)}` : ''})`,
      pids: () => [running.child.pid as number],
      target: { issuer: config.authz.publicUrl, client, fields: loginFields(config), consent: true },
    },
    stop,
    database: config.authz.database,
  };
}

/** The minimal oidc-provider login server, with the same client (key, scope, prompt) and form fields. */
async function startPeer(jwk: ClientKey['publicJwk'], like: LoginTarget): Promise<Running> {
  const port = await freePort();
  const client = { clientId: 'bench-rp', redirectUri: `http://localhost:${await freePort()}/callback` };
  const { helper, hello } = await Helper.fork(
    join(import.meta.dirname, 'peer/login.js'),
    { PEER_CONFIG: JSON.stringify({ port, ...client, jwk }) },
    PROFILE_ARGS,
  );
  const { resource: _resource, ...rest } = like.client;
  return {
    side: {
      name: 'peer (minimal oidc-provider)',
      pids: () => [helper.child.pid as number],
      target: { ...like, issuer: hello.issuer as string, client: { ...rest, ...client } },
    },
    stop: () => helper.stop(),
  };
}

/** A compared checkout as the table names it: its folder and commit. */
function checkoutName(root: string): string {
  const commit = execFileSync('git', ['-C', root, 'rev-parse', '--short', 'HEAD'], {
    encoding: 'utf8',
  }).trim();
  return `${basename(root)} at ${commit}`;
}

const f = (n: number, digits = 0) => (Number.isFinite(n) ? n.toFixed(digits) : '—');

export async function run(args: string[] = []): Promise<void> {
  await ensureBuilt();
  const storeAt = args.indexOf('--rate-limit-store');
  const store = storeAt >= 0 && args[storeAt + 1] === 'database' ? 'database' : 'memory';
  const { helper: load } = await Helper.fork(join(import.meta.dirname, 'load/logins.js'));
  const running: Running[] = [];
  let failed = false;
  try {
    // The relying party's key is made in the load client, which signs its assertions; both servers get the public half.
    const jwk = await load.ask<ClientKey['publicJwk']>({ key: true });
    // `--workers 1,2`: authz as that many processes (serve authz --workers N), one side per count.
    for (const db of databases(args))
      for (const workers of workerCounts(args)) running.push(await startAuthz(jwk, db, workers, store));
    // `--compare <checkout>` (repeatable): one more authz side per database (SQLite; PostgreSQL too with
    // `--db postgres`) from another checkout's dist/ (built there), in the same windows: two builds
    // measured under the same load.
    for (const [i, arg] of args.entries())
      if (arg === '--compare' && args[i + 1])
        for (const db of databases(args))
          running.push(await startAuthz(jwk, db, undefined, store, args[i + 1]));
    running.push(await startPeer(jwk, (running[0] as Running).side.target));
    const started = machine();
    const figures = await alternate(
      load,
      running.map((r) => r.side),
      CONNECTIONS,
    );
    const peer = figures.at(-1) as SideFigures;
    const rows = [
      `Sign-ins: PAR (private_key_jwt, PKCE S256) → authorize → login form (GET, POST) → consent (GET, POST allow; prompt=consent) → code → token (private_key_jwt), scope openid national_id, the demo people in turn, ${CONNECTIONS} connections, ${WINDOWS} × ${WINDOW_SECONDS} s windows per side after ${WARMUP_SECONDS} s warm-up`,
      '',
      limiter(store),
      '',
      '| side | flows/s | latency per flow p50 / p90 / p99 | errors | server CPU ms per flow | windows (flows/s, CPU ms) |',
      '| --- | --- | --- | --- | --- | --- |',
      ...sideRows(figures),
      ...figures
        .slice(0, -1)
        .map(
          (a) =>
            `| ratio ${a.name} / peer | ${f(a.perSecond / peer.perSecond, 2)}× | p99 ${f(a.p99 / peer.p99, 2)}× | | ${f(a.cpuMsPerOperation / peer.cpuMsPerOperation, 2)}× | |`,
        ),
      '',
      machineLine(started),
    ];
    process.stdout.write(`\n${rows.join('\n')}\n`);
    if (reportErrors(figures)) failed = true;
  } finally {
    await load.stop();
    for (const r of running.reverse()) await r.stop();
  }
  if (failed) {
    process.stderr.write('bench: some sign-ins did not end in a checked token response\n');
    process.exitCode = 1;
  }
}
