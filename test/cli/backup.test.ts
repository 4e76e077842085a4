import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { backupCommand, restoreCommand } from '../../src/cli/backup.js';
import { issuerCommand } from '../../src/cli/issuer-admin.js';
import { type Config, loadConfig } from '../../src/platform/config/index.js';
import { type RunningSystem, startSystem } from '../../src/system.js';
import { issuingWallet } from '../helpers/issuing-wallet.js';
import { testConfig } from '../helpers/system.js';
import { startForeignAs } from '../issuer/helpers/foreign-as.js';

/**
 * An operator's backup and restore: credentials are issued, the SQLite databases are backed up while
 * the services serve (and issue), more credentials are issued after the backup, the machine is
 * "lost", and the backup is restored into a fresh data directory.
 */
const folders: string[] = [];
const systems: RunningSystem[] = [];
afterAll(async () => {
  for (const system of systems) await system.stop().catch(() => {});
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function run(command: typeof backupCommand, args: string[]) {
  const lines: string[] = [];
  return command(args, (line) => lines.push(line)).then((code) => ({ code, text: lines.join('\n') }));
}

/** The same configuration with every file under another data directory. */
function movedTo(config: Config, dataDir: string): Config {
  return loadConfig({
    env: {},
    overrides: {
      ...config,
      dataDir,
      keys: { masterKeyFile: 'master.key' },
      registry: { ...config.registry, database: 'sqlite:registry.sqlite' },
      authz: { ...config.authz, database: 'sqlite:authz.sqlite' },
      issuer: { ...config.issuer, database: 'sqlite:issuer.sqlite' },
      portal: { ...config.portal, database: 'sqlite:portal.sqlite' },
    },
  });
}

function configFile(config: Config, folder: string): string {
  const file = join(folder, 'attesta.json');
  writeFileSync(file, JSON.stringify(config));
  return file;
}

describe('attesta backup / attesta restore (SQLite)', () => {
  it('restores ledger, status lists and sealed keys; old credentials verify; no status index is reused', async () => {
    const prepared = await testConfig();
    const as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
    const original = movedTo(
      {
        ...prepared.config,
        issuer: {
          ...prepared.config.issuer,
          authorizationServers: [...prepared.config.issuer.authorizationServers, as.url],
        },
      },
      prepared.dataDir,
    );
    folders.push(prepared.dataDir);
    const issuerUrl = original.issuer.publicUrl;
    let system = await startSystem(original, ['authz', 'issuer', 'portal']);
    systems.push(system);

    const { issueOne, statusOf, entry, listStatus, verify } = issuingWallet(issuerUrl, as);
    const search = async (config: Config) => {
      const result = await run(issuerCommand, [
        'credential',
        'search',
        '--subject',
        '5102030400',
        '--config',
        configFile(config, config.dataDir),
      ]);
      return (JSON.parse(result.text) as { id: string }[]).map((c) => c.id).sort();
    };

    // Before the backup: three credentials, one of them revoked.
    const before = [await issueOne(), await issueOne(), await issueOne()];
    const revoked = before[2] as string;
    const file = configFile(original, prepared.dataDir);
    const ledgerBefore = await search(original);
    expect(ledgerBefore).toHaveLength(3);
    const jwksBefore = await issuingWallet(issuerUrl, as).issuerKeys();
    // Revoke the third through the CLI by its list index (what an operator has from a verifier's report);
    // `--` first, as the usage says for a list id that starts with '-'.
    const third = statusOf(revoked);
    const listId = third.uri.split('/').at(-1) as string;
    expect(
      (
        await run(issuerCommand, [
          'status-list',
          '--config',
          file,
          '--',
          listId,
          String(third.idx),
          'revoked',
        ])
      ).code,
    ).toBe(0);
    expect(await listStatus(revoked)).toBe(1);

    // The backup runs while the issuer keeps issuing.
    const backupDir = mkdtempSync(join(tmpdir(), 'attesta-backup-'));
    folders.push(backupDir);
    const [backup, during] = await Promise.all([
      run(backupCommand, ['--to', backupDir, '--config', file]),
      Promise.all([issueOne(), issueOne()]),
    ]);
    expect(backup.code, backup.text).toBe(0);
    const manifest = JSON.parse(readFileSync(join(backupDir, 'manifest.json'), 'utf8')) as {
      databases: Record<string, { migrations: Record<string, string[]> }>;
    };
    expect(Object.keys(manifest.databases).sort()).toEqual(['authz', 'issuer', 'portal', 'registry']);
    expect(readFileSync(join(backupDir, 'manifest.json'), 'utf8')).not.toContain('master');

    // After the backup, more credentials: they are lost with the machine, but their indices are out there.
    const after = [await issueOne(), await issueOne()];
    await system.stop();

    // A fresh data directory: the backup, and the master key kept apart.
    const restoredDir = mkdtempSync(join(tmpdir(), 'attesta-restored-'));
    folders.push(restoredDir);
    const restoredConfig = movedTo(original, restoredDir);
    copyFileSync(join(prepared.dataDir, 'master.key'), join(restoredDir, 'master.key'));
    const restore = await run(restoreCommand, [
      '--from',
      backupDir,
      '--config',
      configFile(restoredConfig, restoredDir),
    ]);
    expect(restore.code, restore.text).toBe(0);
    // Restoring over existing databases needs --force.
    await expect(
      run(restoreCommand, ['--from', backupDir, '--config', configFile(restoredConfig, restoredDir)]),
    ).rejects.toThrow(/--force/);

    system = await startSystem(restoredConfig, ['authz', 'issuer', 'portal']);
    systems.push(system);
    // Sealed keys intact: the same issuer keys are published, and credentials issued before verify.
    expect(await (await fetch(`${issuerUrl}/.well-known/jwt-vc-issuer`)).json()).toEqual(jwksBefore);
    for (const credential of before.slice(0, 2)) await expect(verify(credential)).resolves.toBeDefined();
    await expect(verify(revoked)).rejects.toThrow(/status/i);
    // Status lists intact: the revocation is still in the served list.
    expect(await listStatus(revoked)).toBe(1);
    expect(await listStatus(before[0] as string)).toBe(0);
    // Ledger intact: the three from before the backup (and those issued during it, if it caught them).
    const ledgerAfter = await search(restoredConfig);
    expect(ledgerAfter).toEqual(expect.arrayContaining(ledgerBefore));
    expect(ledgerAfter.length).toBeLessThanOrEqual(ledgerBefore.length + during.length);

    // New credentials never take an index handed out before, even those issued after the backup.
    const handedOut = new Set([...before, ...during, ...after].map(entry));
    const fresh = await Promise.all(Array.from({ length: 4 }, () => issueOne()));
    for (const credential of fresh) expect(handedOut.has(entry(credential))).toBe(false);
    // Random indices rarely collide by chance; what guarantees it is that the lists open at backup time
    // (whose later entries the backup cannot know) take no new entries: new credentials use a new list.
    const listsBefore = new Set([...before, ...during, ...after].map((c) => statusOf(c).uri));
    for (const credential of fresh) expect(listsBefore.has(statusOf(credential).uri)).toBe(false);
    for (const credential of fresh) await expect(verify(credential)).resolves.toBeDefined();
    await as.stop();
  }, 180_000);
});
