import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config/index.js';

function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('loads the defaults: three services on 3001, 3002, 3000 with SQLite under ./data', () => {
    const config = loadConfig({ env: {}, cwd: '/srv/attesta' });
    expect([config.authz.port, config.issuer.port, config.portal.port]).toEqual([3001, 3002, 3000]);
    expect(config.authz.database).toBe('sqlite:/srv/attesta/data/authz.sqlite');
    expect(config.dataDir).toBe('/srv/attesta/data');
  });

  it('takes ATTESTA_* variables, nested with __, typed by the default', () => {
    const config = loadConfig({
      env: {
        ATTESTA_AUTHZ__PORT: '4001',
        ATTESTA_ISSUER__PUBLIC_URL: 'http://localhost:4002',
        ATTESTA_REGISTRY__SEED_DEMO: 'false',
      },
    });
    expect(config.authz.port).toBe(4001);
    expect(config.issuer.publicUrl).toBe('http://localhost:4002');
    expect(config.registry.seedDemo).toBe(false);
  });

  it('merges a file over the defaults, and the environment over the file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'attesta-config-'));
    const file = join(dir, 'attesta.json');
    writeFileSync(file, JSON.stringify({ issuer: { port: 5002, nonceTtl: 60 } }));
    const config = loadConfig({ file, env: { ATTESTA_ISSUER__PORT: '6002' } });
    expect(config.issuer.port).toBe(6002);
    expect(config.issuer.nonceTtl).toBe(60);
    expect(config.issuer.host).toBe('127.0.0.1');
  });

  it('stops on a bad value with a message naming the key', () => {
    expect(configError(() => loadConfig({ env: { ATTESTA_AUTHZ__PORT: 'abc' } })).key).toBe('authz.port');
    expect(configError(() => loadConfig({ env: { ATTESTA_PORTAL__PORT: '70000' } })).message).toMatch(
      /^configuration: portal\.port: /,
    );
    expect(configError(() => loadConfig({ env: { ATTESTA_ISSUER__NONCE_TTL: '1' } })).key).toBe(
      'issuer.nonceTtl',
    );
    expect(configError(() => loadConfig({ env: { ATTESTA_ISSUER__DATABASE: 'mysql://x' } })).key).toBe(
      'issuer.database',
    );
  });

  it('names an unknown variable instead of ignoring it', () => {
    expect(configError(() => loadConfig({ env: { ATTESTA_ISSUER__PROT: '1' } })).message).toContain(
      'ATTESTA_ISSUER__PROT',
    );
  });

  it('refuses plain-http public URLs outside development mode', () => {
    const error = configError(() => loadConfig({ env: { ATTESTA_MODE: 'production' } }));
    expect(error.key).toBe('authz.publicUrl');
    const ok = loadConfig({
      env: {
        ATTESTA_MODE: 'production',
        ATTESTA_AUTHZ__PUBLIC_URL: 'https://id.example.org',
        ATTESTA_ISSUER__PUBLIC_URL: 'https://issuer.example.org',
        ATTESTA_PORTAL__PUBLIC_URL: 'https://portal.example.org',
      },
    });
    expect(ok.mode).toBe('production');
  });

  it('names a config file that is missing or not JSON', () => {
    expect(configError(() => loadConfig({ file: '/nonexistent/attesta.json', env: {} })).message).toContain(
      '/nonexistent/attesta.json',
    );
    const dir = mkdtempSync(join(tmpdir(), 'attesta-config-'));
    writeFileSync(join(dir, 'bad.json'), '{not json');
    expect(configError(() => loadConfig({ file: join(dir, 'bad.json'), env: {} })).key).toBe('file');
  });
});
