import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'kysely';
import * as client from 'openid-client';
import { afterAll, describe, expect, it } from 'vitest';
import type { IssuanceTables } from '../../src/issuer/issuance/index.js';
import type { Config } from '../../src/platform/config/index.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { startSystem } from '../../src/system.js';
import {
  AMARA,
  authorize,
  closeServer,
  discoverAsPortal,
  generateClientKey,
  serveClientJwks,
} from '../authz/helpers.js';
import { databaseForAllTests } from '../helpers/database-hooks.js';
import { createPostgresDatabase, DIALECTS, isPostgresAvailable } from '../helpers/databases.js';
import { killGroup, spawnCollecting } from '../helpers/processes.js';
import { testConfig } from '../helpers/system.js';
import { type Attempt, credentialLoad, requestCredential, signProof } from './credential-load.js';

const dir = mkdtempSync(join(tmpdir(), 'attesta-durability-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** PRAGMA synchronous reads back as a number: 1 = NORMAL, 2 = FULL (sqlite.org/pragma.html#pragma_synchronous). */
async function sqliteSettings(url: string) {
  const database = openDatabase<Record<string, never>>(url);
  try {
    const sync = await sql<{ synchronous: number }>`PRAGMA synchronous`.execute(database.db);
    const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(database.db);
    return { synchronous: sync.rows[0]?.synchronous, journal: journal.rows[0]?.journal_mode };
  } finally {
    await database.close();
  }
}

describe('durable before 200', () => {
  it('SQLite commits are fsynced (WAL with synchronous=FULL) unless the URL trades it away', async () => {
    expect(await sqliteSettings(`sqlite:${join(dir, 'a.sqlite')}`)).toEqual({
      synchronous: 2,
      journal: 'wal',
    });
    expect(await sqliteSettings(`sqlite:${join(dir, 'b.sqlite')}?synchronous=normal`)).toEqual({
      synchronous: 1,
      journal: 'wal',
    });
    expect(() => openDatabase(`sqlite:${join(dir, 'c.sqlite')}?synchronous=off`)).toThrow(/synchronous/);
  });

  it('PostgreSQL sessions keep synchronous_commit on', async () => {
    if (!(await isPostgresAvailable())) return;
    const target = await createPostgresDatabase();
    try {
      const database = openDatabase<Record<string, never>>(target.url);
      try {
        const rows = await sql<{ synchronous_commit: string }>`SHOW synchronous_commit`.execute(database.db);
        expect(rows.rows[0]?.synchronous_commit).toBe('on');
      } finally {
        await database.close();
      }
    } finally {
      await target.drop();
    }
  });
});

/** The issuer alone in a process of its own (`attesta serve issuer`), as an operator runs it. */
async function startIssuerProcess(configFile: string, issuer: string) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATTESTA_')));
  const run = spawnCollecting(
    process.execPath,
    ['bin/attesta.js', 'serve', 'issuer', '--config', configFile],
    env,
  );
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (run.child.exitCode !== null)
      throw new Error(`issuer exited ${run.child.exitCode}: ${run.output.stderr}`);
    const ready = await fetch(`${issuer}/health/ready`).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ready) return run;
    if (Date.now() > deadline) throw new Error(`issuer not ready: ${run.output.stderr}`);
    await sleep(200);
  }
}

/** Real access tokens for the issuer: each a full sign-in at authz (authorize → login → code → token). */
async function accessTokens(
  config: Config,
  count: number,
): Promise<{ tokens: string[]; close: () => Promise<void> }> {
  const clientKey = await generateClientKey();
  const jwks = await serveClientJwks(config, [clientKey.publicJwk]);
  const rp = await discoverAsPortal(config, clientKey);
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const run = await authorize(config, rp, AMARA);
    const grant = await client.authorizationCodeGrant(
      rp,
      run.url,
      { pkceCodeVerifier: run.codeVerifier, expectedState: run.state },
      { resource: config.issuer.publicUrl },
    );
    tokens.push(grant.access_token);
  }
  return { tokens, close: () => closeServer(jwks) };
}

const ROUNDS = 2;
const KILL_AFTER = 60; // credentials answered 200 in a round before its SIGKILL
const CONFIGURATION = 'national_id_sd_jwt';

describe.each(DIALECTS)('kill -9 under credential load ($dialect)', (dialect) => {
  const testDatabase = databaseForAllTests(dialect);

  it('every 200 has its ledger row, no status index is handed out twice, no nonce is accepted twice', async (context) => {
    const db = testDatabase.current;
    if (!db) return context.skip();
    const { config, dataDir } = await testConfig({
      services: ['authz', 'issuer'],
      databases: { issuer: db.url },
    });
    const configFile = join(dataDir, 'attesta.json');
    writeFileSync(configFile, JSON.stringify(config));
    const issuer = config.issuer.publicUrl;
    const authz = await startSystem(config, ['authz']);
    const { tokens, close } = await accessTokens(config, 2);
    const attempts: Attempt[] = [];
    const issued = () => attempts.filter((a) => a.outcome === 'issued');
    let running: ReturnType<typeof spawnCollecting> | undefined;
    try {
      for (let round = 0; round < ROUNDS; round++) {
        running = await startIssuerProcess(configFile, issuer);
        const target = issued().length + KILL_AFTER;
        let killed = false;
        const load = credentialLoad({
          issuer,
          tokens,
          configurationId: CONFIGURATION,
          workers: 8,
          attempts,
          stop: () => killed,
        });
        await expect
          .poll(() => issued().length, { timeout: 120_000, interval: 5 })
          .toBeGreaterThanOrEqual(target);
        process.kill(running.child.pid as number, 'SIGKILL'); // mid-load: requests are in flight
        killed = true;
        await load;
        await running.exited;
      }
      const beforeRestart = issued().length;
      const cut = attempts.filter((a) => a.outcome === 'no answer');
      running = await startIssuerProcess(configFile, issuer);

      // A nonce that bought a credential before the crash buys nothing after it (a fresh proof over it).
      for (const attempt of issued()) {
        const proof = await signProof(attempt.holder, issuer, attempt.nonce);
        const replay = await requestCredential(issuer, attempt.token, proof, CONFIGURATION);
        expect(replay.status).toBe(400);
        expect(replay.error).toBe('invalid_nonce');
      }
      // A request cut by the kill either committed (its nonce is spent) or left nothing: replayed once,
      // it may be issued now, but then its nonce was never accepted before.
      for (const attempt of cut) {
        const proof = await signProof(attempt.holder, issuer, attempt.nonce);
        const replay = await requestCredential(issuer, attempt.token, proof, CONFIGURATION);
        expect(replay.outcome).not.toBe('no answer');
        if (replay.outcome === 'issued') attempts.push({ ...attempt, ...replay });
      }
      // And the restarted issuer goes on issuing.
      const after = issued().length;
      let enough = false;
      const load = credentialLoad({
        issuer,
        tokens,
        configurationId: CONFIGURATION,
        workers: 4,
        attempts,
        stop: () => enough,
      });
      await expect
        .poll(() => issued().length, { timeout: 60_000, interval: 5 })
        .toBeGreaterThanOrEqual(after + 20);
      enough = true;
      await load;

      const all = issued();
      expect(beforeRestart).toBeGreaterThanOrEqual(ROUNDS * KILL_AFTER);
      expect(new Set(all.map((a) => a.nonce)).size).toBe(all.length);
      const slots = all.map((a) => `${a.statusRef?.uri}#${a.statusRef?.idx}`);
      expect(all.every((a) => a.statusRef && Number.isInteger(a.statusRef.idx))).toBe(true);
      expect(new Set(slots).size).toBe(all.length);

      const database = openDatabase<IssuanceTables>(db.url);
      try {
        const ledger = await database.db
          .selectFrom('issuer_ledger')
          .select(['id', 'status_list_id', 'status_idx'])
          .execute();
        const entries = await database.db
          .selectFrom('issuer_status_entries')
          .select(['list_id', 'idx', 'credential_id'])
          .execute();
        const rows = new Set(ledger.map((r) => `${r.status_list_id}#${r.status_idx}`));
        const missing = all.filter(
          (a) => !rows.has(`${a.statusRef?.uri.split('/').pop()}#${a.statusRef?.idx}`),
        );
        expect(missing.length, 'credentials answered 200 without a ledger row').toBe(0);
        expect(new Set(entries.map((e) => `${e.list_id}#${e.idx}`)).size).toBe(entries.length);
        expect(entries.length).toBe(ledger.length);
        process.stdout.write(
          `kill -9 (${dialect}): ${ROUNDS} kills, ${beforeRestart} credentials before the last restart, ${cut.length} requests cut, ${all.length} issued in all, ${ledger.length} ledger rows\n`,
        );
      } finally {
        await database.close();
      }
    } finally {
      if (running) killGroup(running.child);
      await close();
      await authz.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 400_000);
});
