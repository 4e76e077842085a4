import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/platform/config/index.js';
import { envName, listSettings, lookupEnv } from '../../src/platform/config/keys.js';
import { configurationReference } from '../../src/platform/config/reference.js';
import { ConfigSchema } from '../../src/platform/config/schema.js';

const SETTINGS = listSettings(ConfigSchema);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/**
 * Settings applied inside the configuration loader itself, each with the test that observes its
 * effect (everything else must be read by a service, the CLI or the platform).
 */
const APPLIED_BY_THE_LOADER: Record<string, string> = {
  dataDir:
    'test/platform/config-settings.test.ts (paths follow it) and test/cli/signals.test.ts (files land there)',
};

describe('docs/configuration.md', () => {
  it('is the page generated from the schema and the defaults (run `npm run docs:config` after a change)', () => {
    expect(readFileSync('docs/configuration.md', 'utf8')).toBe(configurationReference());
  });

  it('describes every setting, and names the variable that sets it', () => {
    for (const setting of SETTINGS) {
      expect((setting.schema as { description?: string }).description, setting.path.join('.')).toBeTruthy();
      const name = envName(setting.path);
      const found = lookupEnv(ConfigSchema, name.slice('ATTESTA_'.length).split('__'));
      expect(found.ok && found.path, name).toEqual(setting.path);
    }
  });
});

describe('every setting does something', () => {
  // "Read by nothing" is how ATTESTA_DATA_DIR was documented for months without an effect.
  const code = sources('src')
    .filter((path) => !path.startsWith(join('src', 'platform', 'config')))
    .map((path) => readFileSync(path, 'utf8'))
    .join('\n');

  it.each(SETTINGS.map((s) => s.path.join('.')))('%s is read outside the configuration loader', (path) => {
    if (APPLIED_BY_THE_LOADER[path]) return;
    const key = path.split('.').at(-1) as string;
    expect(code, `${path}: nothing in src/ reads "${key}"`).toMatch(new RegExp(`\\b${key}\\b`));
  });
});

describe('misspelt settings', () => {
  it('a misspelt key in a file, at any depth, stops loading with the closest key', () => {
    const error = (() => {
      try {
        loadConfig({ env: {}, overrides: { authz: { login: { lockout: { failres: 3 } } } } });
      } catch (e) {
        return e as ConfigError;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect(error?.message).toContain('authz.login.lockout.failres');
    expect(error?.message).toContain('did you mean authz.login.lockout.failures?');
  });

  it('a single underscore where a level separator was meant is pointed out', () => {
    expect(() => loadConfig({ env: { ATTESTA_ISSUER_PORT: '4002' } })).toThrow(
      'did you mean ATTESTA_ISSUER__PORT?',
    );
  });
});
