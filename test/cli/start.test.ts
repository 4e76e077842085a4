import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
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

/** Allocates short-lived garbage until the young generation has grown as far as it may, then reports the heap. */
const HEAP_PROBE = `
  const v8 = require('node:v8');
  let keep = [];
  for (let i = 0; i < 3e6; i++) { keep.push({ i, s: 'x' + i }); if (keep.length > 50000) keep = []; }
  const young = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  console.log(JSON.stringify({ limit: v8.getHeapStatistics().heap_size_limit, young: young.space_size }));
`;

describe('npm start', () => {
  // Issue 14 item 5 (docs/benchmarks.md, the soak): on a large host V8's defaults let the young
  // generation take 128 MB and the old one grow to 4× its live size, so the all-in-one start went
  // past 700 MB under load with 70 MB live; with these flags it stays under 250 MB.
  it('runs node with a heap budget: young generation ≤ 32 MB (not 128), heap limit ≤ 600 MB', () => {
    const script = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: { start: string } })
      .scripts.start;
    const flags = /^exec node ((?:--\S+ )*)dist\/cli\.js start$/
      .exec(script)?.[1]
      ?.split(' ')
      .filter(Boolean);
    expect(flags, script).toEqual(expect.arrayContaining([expect.stringMatching(/^--max-old-space-size=/)]));
    // node itself says what the flags give (a flag it no longer knew would fail here: "bad option").
    const probe = spawnSync(process.execPath, [...(flags ?? []), '-e', HEAP_PROBE], {
      encoding: 'utf8',
      timeout: 20_000,
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    expect(probe.status, probe.stderr).toBe(0);
    const heap = JSON.parse(probe.stdout) as { limit: number; young: number };
    // Two 8 MB semi-spaces, plus what V8 rounds up to whole pages (17 MB seen); node's default here is 128 MB.
    expect(heap.young).toBeLessThanOrEqual(32 * 2 ** 20);
    expect(heap.limit).toBeLessThanOrEqual(600 * 2 ** 20);
  });
});
