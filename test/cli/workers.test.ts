import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeJwt } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { offerCommand } from '../../src/cli/offers.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { groupAlive } from '../helpers/processes.js';
import {
  freshNonce,
  type HttpResult,
  PRE_AUTH,
  postCredential,
  redeem,
} from '../issuer/helpers/protocol-client.js';
import { newHolder, proofJwt } from '../issuer/helpers/wallet.js';
import { childrenOf, type RunningWorkers, serviceConfigOn, startTwoWorkers } from './helpers/workers.js';

const counts = (results: HttpResult[]) =>
  results.reduce<Record<string, number>>((all, r) => {
    const key = r.status === 200 ? '200' : `${r.status} ${String(r.body?.error)}`;
    all[key] = (all[key] ?? 0) + 1;
    return all;
  }, {});

describe.each(['sqlite', 'postgres'] as const)('attesta serve issuer --workers 2 on %s', (dialect) => {
  let stop = async () => {};
  let running: RunningWorkers | undefined;
  let url = '';
  let configFile = '';
  let issuerDatabase = '';
  let primary = 0;
  let skipped = false;

  beforeAll(async () => {
    const made = await serviceConfigOn('issuer', dialect);
    if (!made) {
      skipped = true;
      return;
    }
    const { config, dataDir } = made;
    issuerDatabase = config.issuer.database;
    url = config.issuer.publicUrl;
    configFile = join(dataDir, 'attesta.json');
    writeFileSync(configFile, JSON.stringify(config));
    let workers: RunningWorkers | undefined;
    stop = async () => {
      await workers?.stop();
      await made.remove();
    };
    // The banner comes once both workers are built and listening.
    workers = await startTwoWorkers('issuer', configFile);
    running = workers;
    primary = workers.primary;
  }, 180_000);

  afterAll(async () => {
    await stop();
  }, 60_000);

  /** A fresh pre-authorized code (claims fixed), made with the CLI against the same database. */
  async function preAuthorizedCode(): Promise<string> {
    const lines: string[] = [];
    const claims = JSON.stringify({ given_name: 'Amara', nationalities: ['TG'] });
    const status = await offerCommand(
      ['create', '--configuration', 'national_id_sd_jwt', '--claims', claims, '--config', configFile],
      (line) => lines.push(line),
    );
    expect(status, lines.join('\n')).toBe(0);
    const view = JSON.parse(lines[0] as string) as {
      credential_offer: { grants: Record<string, { 'pre-authorized_code': string }> };
    };
    return view.credential_offer.grants[PRE_AUTH]?.['pre-authorized_code'] as string;
  }

  async function accessToken(): Promise<string> {
    const token = await redeem(url, await preAuthorizedCode());
    expect(token.status, token.text).toBe(200);
    return token.body?.access_token as string;
  }

  it('runs two worker processes behind one port', (context) => {
    if (skipped) return context.skip();
    expect(childrenOf(primary)).toHaveLength(2);
  });

  it('a pre-authorized code raced on many connections is redeemed once', async (context) => {
    if (skipped) return context.skip();
    const code = await preAuthorizedCode();
    // Separate connections: the primary hands connections to the workers in turn.
    const results = await Promise.all(Array.from({ length: 8 }, () => redeem(url, code)));
    expect(counts(results)).toEqual({ '200': 1, '400 invalid_grant': 7 });
  });

  it('one c_nonce in eight racing credential requests issues one credential', async (context) => {
    if (skipped) return context.skip();
    const token = await accessToken();
    const nonce = await freshNonce(url);
    const holders = await Promise.all(Array.from({ length: 8 }, () => newHolder()));
    const proofs = await Promise.all(holders.map((h) => proofJwt(h, { audience: url, nonce })));
    const results = await Promise.all(
      proofs.map((jwt) =>
        postCredential(
          url,
          { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: [jwt] } },
          token,
        ),
      ),
    );
    expect(counts(results)).toEqual({ '200': 1, '400 invalid_nonce': 7 });
  });

  it('credentials issued in parallel by both workers: no status index twice, a ledger row each', async (context) => {
    if (skipped) return context.skip();
    const token = await accessToken();
    const holder = await newHolder();
    const results = await Promise.all(
      Array.from({ length: 40 }, async () => {
        const jwt = await proofJwt(holder, { audience: url, nonce: await freshNonce(url) });
        return postCredential(
          url,
          { credential_configuration_id: 'national_id_sd_jwt', proofs: { jwt: [jwt] } },
          token,
        );
      }),
    );
    expect(counts(results)).toEqual({ '200': 40 });
    const slots = results.map((r) => {
      const credentials = (r.body?.credentials ?? []) as { credential: string }[];
      const credential = credentials[0]?.credential as string;
      const status = decodeJwt(credential.split('~')[0] as string).status as {
        status_list: { idx: number; uri: string };
      };
      return `${status.status_list.uri}#${status.status_list.idx}`;
    });
    expect(new Set(slots).size).toBe(40);
    const notifications = new Set(results.map((r) => r.body?.notification_id));
    expect(notifications.size).toBe(40);

    const database = openDatabase<Record<string, never>>(issuerDatabase);
    try {
      const db = database.db as Kysely<{
        issuer_ledger: { id: string };
        issuer_status_entries: { credential_id: string };
      }>;
      const ledger = await db.selectFrom('issuer_ledger').select('id').execute();
      const entries = await db.selectFrom('issuer_status_entries').select('credential_id').execute();
      // The one credential of the nonce race plus these forty; each with its status entry.
      expect(ledger).toHaveLength(41);
      expect(new Set(entries.map((e) => e.credential_id))).toEqual(new Set(ledger.map((l) => l.id)));
    } finally {
      await database.close();
    }
  });

  it('stops every worker on SIGTERM to the primary', async (context) => {
    if (skipped) return context.skip();
    const workers = childrenOf(primary);
    expect(workers).toHaveLength(2);
    // SIGTERM alone, nothing killed after it: a worker still alive now has survived the primary's shutdown.
    await running?.terminate();
    const alive = (pid: number) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    await expect.poll(() => workers.filter(alive), { timeout: 10_000 }).toEqual([]);
    expect(groupAlive(primary)).toBe(false);
  }, 60_000);
});
