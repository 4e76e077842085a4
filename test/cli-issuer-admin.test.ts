import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issuerCommand } from '../src/cli/issuer-admin.js';
import { demoConfigurations } from '../src/issuer/configurations/index.js';
import { testConfig } from './helpers/system.js';

let dataDir: string;
let configFile: string;
const lines: string[] = [];
const out = (line: string) => lines.push(line);
const run = (...args: string[]) => issuerCommand([...args, '--config', configFile], out);

beforeAll(async () => {
  const prepared = await testConfig({ services: ['issuer'] });
  dataDir = prepared.dataDir;
  configFile = join(dataDir, 'attesta.json');
  writeFileSync(configFile, JSON.stringify(prepared.config));
});

afterAll(async () => {
  const { rmSync } = await import('node:fs');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('attesta issuer (CLI)', () => {
  it('manages API keys: shown once, listed without the secret, revoked', async () => {
    expect(await run('api-key', 'create', 'ops')).toBe(0);
    const key = lines.at(-1) as string;
    expect(key).toMatch(/^atk_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    const id = key.split('_')[1] as string;
    expect(await run('api-key', 'list')).toBe(0);
    expect(lines.at(-1)).toMatch(new RegExp(`^${id} ops created `));
    expect(lines.join('\n').split(key).length).toBe(2); // the secret appeared once only
    expect(await run('api-key', 'revoke', id)).toBe(0);
    expect(await run('api-key', 'revoke', id)).toBe(1);
  });

  it('creates, shows, updates, disables configurations with validation', async () => {
    const sample = demoConfigurations().find(
      (c) => (c as { id: string }).id === 'national_id_sd_jwt',
    ) as Record<string, unknown>;
    const file = join(dataDir, 'c.json');
    writeFileSync(file, JSON.stringify({ ...sample, id: 'cli_sample', vct: 'urn:test:cli' }));
    expect(await run('config', 'create', file)).toBe(0);
    expect(await run('config', 'create', file)).toBe(1);
    expect(lines.at(-1)).toBe('error: configuration cli_sample exists');
    writeFileSync(
      file,
      JSON.stringify({ ...sample, id: 'cli_sample', vct: 'urn:test:cli', scope: 'bad scope' }),
    );
    expect(await run('config', 'update', file)).toBe(1);
    expect(lines.at(-1)).toMatch(/^error: scope: /);
    expect(await run('config', 'disable', 'cli_sample')).toBe(0);
    expect(await run('config', 'list')).toBe(0);
    expect(lines).toContain('cli_sample dc+sd-jwt disabled');
    expect(await run('config', 'show', 'cli_sample')).toBe(0);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ id: 'cli_sample', enabled: false });
    expect(await run('audit')).toBe(0);
    expect(lines.some((l) => / configuration\.disable cli_sample done$/.test(l))).toBe(true);
    expect(await run('nonsense')).toBe(2);
  });
});
