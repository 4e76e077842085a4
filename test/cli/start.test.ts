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

describe('attesta start', () => {
  it('prints the URLs and a demo login, serves, and shuts down cleanly on Ctrl-C (SIGINT)', async () => {
    const { spawn } = await import('node:child_process');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { freePort } = await import('../helpers/system.js');
    const dir = mkdtempSync(join(tmpdir(), 'attesta-cli-'));
    const [a, i, p] = [await freePort(), await freePort(), await freePort()];
    const env = {
      ...process.env,
      ATTESTA_DATA_DIR: dir,
      ATTESTA_LOG__LEVEL: 'warn',
      ATTESTA_KEYS__MASTER_KEY_FILE: join(dir, 'master.key'),
      ATTESTA_REGISTRY__DATABASE: `sqlite:${join(dir, 'registry.sqlite')}`,
      ATTESTA_AUTHZ__PORT: String(a),
      ATTESTA_AUTHZ__PUBLIC_URL: `http://localhost:${a}`,
      ATTESTA_AUTHZ__DATABASE: `sqlite:${join(dir, 'authz.sqlite')}`,
      ATTESTA_ISSUER__PORT: String(i),
      ATTESTA_ISSUER__PUBLIC_URL: `http://localhost:${i}`,
      ATTESTA_ISSUER__DATABASE: `sqlite:${join(dir, 'issuer.sqlite')}`,
      ATTESTA_ISSUER__AUTHORIZATION_SERVERS: JSON.stringify([`http://localhost:${a}`]),
      ATTESTA_PORTAL__PORT: String(p),
      ATTESTA_PORTAL__PUBLIC_URL: `http://localhost:${p}`,
      ATTESTA_PORTAL__DATABASE: `sqlite:${join(dir, 'portal.sqlite')}`,
      ATTESTA_PORTAL__ISSUER_URL: `http://localhost:${i}`,
    };
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start'], { env });
    let stdout = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    try {
      await expect.poll(() => stdout, { timeout: 20_000, interval: 100 }).toContain('Ctrl-C stops');
      expect(stdout).toContain(`issuer  http://localhost:${i}`);
      expect(stdout).toMatch(/individual ID \d+ · full name .+ · date of birth \d{4}-\d{2}-\d{2}/);
      const metadata = await fetch(`http://localhost:${i}/.well-known/openid-credential-issuer`);
      expect(metadata.status).toBe(200);
      const landing = await fetch(`http://localhost:${p}/`);
      expect(await landing.text()).toContain('National ID');

      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(stdout).toContain('SIGINT: draining');
      await expect(fetch(`http://localhost:${i}/`)).rejects.toThrow();
    } finally {
      child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
