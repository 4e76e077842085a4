import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 20_000,
  });

describe('attesta CLI', () => {
  it('stops start-up on a bad configuration value, naming the key', () => {
    const result = cli(['start'], { ATTESTA_ISSUER__PORT: 'not-a-port' });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('issuer.port');
  });

  it('refuses an unknown service with the usage', () => {
    const result = cli(['serve', 'wallet']);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('serve <authz|issuer|portal>');
  });
});
