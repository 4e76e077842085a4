import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * Runs the compiled `attesta` bin with a module hook that reports every module it loaded
 * (test/helpers/loaded-modules.mjs, written when the process exits), so the test sees what `--help`
 * costs: no dependency from node_modules at all (lazy command loading).
 */
const folder = mkdtempSync(join(tmpdir(), 'attesta-help-'));
const LIST = join(folder, 'loaded-modules.json');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function attesta(args: string[]) {
  rmSync(LIST, { force: true });
  const result = spawnSync(
    process.execPath,
    ['--import', './test/helpers/loaded-modules.mjs', 'bin/attesta.js', ...args],
    {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, NODE_OPTIONS: '', LOADED_MODULES_FILE: LIST },
    },
  );
  const modules = (JSON.parse(readFileSync(LIST, 'utf8')) as { urls: string[] }).urls;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, modules };
}

const COMMANDS = [
  'start',
  'serve',
  'keys',
  'clients',
  'issuer',
  'offer',
  'migrate',
  'backup',
  'restore',
  'password-hash',
];

describe('attesta --help', () => {
  it('lists every command, loading no dependency', () => {
    const result = attesta(['--help']);
    expect(result.status).toBe(0);
    for (const command of COMMANDS) expect(result.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(result.modules.filter((url) => url.includes('/node_modules/'))).toEqual([]);
  });

  it.each(COMMANDS)('attesta %s --help prints its usage without loading the command', (command) => {
    const result = attesta([command, '--help']);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^usage:\n/);
    expect(result.stdout).toContain(`  ${command}`);
    expect(result.modules.filter((url) => url.includes('/node_modules/'))).toEqual([]);
  });

  it('start and serve offer --workers for the issuer (issue 14)', () => {
    expect(attesta(['--help']).stdout).toMatch(/^ {2}serve .*--workers N/m);
    expect(attesta(['start', '--help']).stdout).toContain('-w, --workers <N>');
    const serve = attesta(['serve', '--help']);
    expect(serve.stdout).toContain('-w, --workers <N>');
    expect(serve.stdout).toContain('default: one per core');
  });

  it('names an unknown command with the closest one, and an unknown option with the usage', () => {
    const typo = attesta(['kyes', 'list', 'authz']);
    expect(typo.status).toBe(2);
    expect(typo.stderr).toContain('unknown command kyes (did you mean keys?)');
    const option = attesta(['keys', 'list', 'authz', '--bogus']);
    expect(option.status).toBe(2);
    expect(option.stderr).toContain("Unknown option '--bogus'");
    expect(option.stderr).toContain('keys rotate <service>');
    expect(option.stderr).not.toMatch(/\n\s+at /);
  });
});
