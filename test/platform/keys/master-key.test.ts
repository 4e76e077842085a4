import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMasterKey } from '../../../src/platform/keys/index.js';

describe('master key', () => {
  it('is created on first start as a 0600 file and read back on the next', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'attesta-mk-')), 'sub', 'master.key');
    const first = loadMasterKey(file, {});
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(file, 'utf8').trim()).toMatch(/^[0-9a-f]{64}$/);
    const sealed = first.encrypt(Buffer.from('secret'), 'kid-1');
    expect(loadMasterKey(file, {}).decrypt(sealed, 'kid-1').toString()).toBe('secret');
  });

  it('comes from ATTESTA_MASTER_KEY when set, and a wrong key or context cannot decrypt', () => {
    const env = { ATTESTA_MASTER_KEY: 'ab'.repeat(32) };
    const key = loadMasterKey('/nonexistent/never-created', env);
    const sealed = key.encrypt(Buffer.from('secret'), 'kid-1');
    expect(() => key.decrypt(sealed, 'kid-2')).toThrow();
    expect(() =>
      loadMasterKey('/x', { ATTESTA_MASTER_KEY: 'cd'.repeat(32) }).decrypt(sealed, 'kid-1'),
    ).toThrow();
    expect(() => loadMasterKey('/x', { ATTESTA_MASTER_KEY: 'too-short' })).toThrow(/ATTESTA_MASTER_KEY/);
  });
});
