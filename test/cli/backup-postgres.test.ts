import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { restoreCommand } from '../../src/cli/backup.js';
import { loadConfig } from '../../src/platform/config/index.js';
import { type RunningSystem, startSystem } from '../../src/system.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { issuingWallet } from '../helpers/issuing-wallet.js';
import { testConfig } from '../helpers/system.js';
import { startForeignAs } from '../issuer/helpers/foreign-as.js';

/**
 * The PostgreSQL procedure of docs/operations.md, step by step: `pg_dump --format=custom` while the
 * services serve, `pg_restore --no-owner` into a fresh database, `attesta restore --finish`, start.
 */
const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const step of cleanup.reverse()) await step().catch(() => {});
});

describe('PostgreSQL backup and restore (pg_dump / pg_restore)', async () => {
  const available = await isPostgresAvailable();

  it.skipIf(!available)(
    'keeps keys, ledger and status lists; no status index is handed out twice',
    async () => {
      const source: TestDatabase = await createPostgresDatabase();
      const target: TestDatabase = await createPostgresDatabase();
      cleanup.push(
        () => source.drop(),
        () => target.drop(),
      );
      const url = source.url;
      const prepared = await testConfig({
        databases: { registry: url, authz: url, issuer: url, portal: url },
      });
      cleanup.push(async () => rmSync(prepared.dataDir, { recursive: true, force: true }));
      const as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
      cleanup.push(() => as.stop());
      const config = loadConfig({
        env: {},
        overrides: {
          ...prepared.config,
          issuer: {
            ...prepared.config.issuer,
            authorizationServers: [...prepared.config.issuer.authorizationServers, as.url],
          },
        },
      });
      const wallet = issuingWallet(config.issuer.publicUrl, as);
      let system: RunningSystem = await startSystem(config, ['authz', 'issuer', 'portal']);
      cleanup.push(() => system.stop());

      const before = [await wallet.issueOne(), await wallet.issueOne()];
      const keys = await wallet.issuerKeys();
      const dump = join(mkdtempSync(join(tmpdir(), 'attesta-pgdump-')), 'attesta.dump');
      cleanup.push(async () => rmSync(join(dump, '..'), { recursive: true, force: true }));
      // Online: pg_dump reads one consistent snapshot while the issuer keeps issuing.
      const during = wallet.issueOne();
      execFileSync('pg_dump', ['--format=custom', '--file', dump, url]);
      const after = [await during, await wallet.issueOne()];
      await system.stop();

      execFileSync('pg_restore', [
        '--no-owner',
        '--no-privileges',
        '--exit-on-error',
        '--dbname',
        target.url,
        dump,
      ]);
      const restored = loadConfig({
        env: {},
        overrides: {
          ...config,
          registry: { ...config.registry, database: target.url },
          authz: { ...config.authz, database: target.url },
          issuer: { ...config.issuer, database: target.url },
          portal: { ...config.portal, database: target.url },
        },
      });
      const file = join(prepared.dataDir, 'restored.json');
      writeFileSync(file, JSON.stringify(restored));
      const lines: string[] = [];
      expect(await restoreCommand(['--finish', '--config', file], (line) => lines.push(line))).toBe(0);
      expect(lines.join('\n')).toMatch(/[1-9]\d* open status list\(s\) closed/);

      system = await startSystem(restored, ['authz', 'issuer', 'portal']);
      expect(await wallet.issuerKeys()).toEqual(keys);
      for (const credential of before) {
        await expect(wallet.verify(credential)).resolves.toBeDefined();
        expect(await wallet.listStatus(credential)).toBe(0);
      }
      const handedOut = [...before, ...after];
      const fresh = [await wallet.issueOne(), await wallet.issueOne()];
      const lists = new Set(handedOut.map((c) => wallet.statusOf(c).uri));
      for (const credential of fresh) {
        expect(handedOut.map(wallet.entry)).not.toContain(wallet.entry(credential));
        expect(lists.has(wallet.statusOf(credential).uri)).toBe(false);
      }
    },
    180_000,
  );
});
