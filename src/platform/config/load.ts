import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatRegistry, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { invalidProxyEntry, trustedProxies } from '../forwarded.js';
import { findUnknownKey, lookupEnv } from './keys.js';
import { type Config, ConfigSchema } from './schema.js';

export class ConfigError extends Error {
  constructor(
    readonly key: string,
    message: string,
  ) {
    super(`configuration: ${key}: ${message}`);
    this.name = 'ConfigError';
  }
}

if (!FormatRegistry.Has('uri')) {
  FormatRegistry.Set('uri', (value) => URL.canParse(value));
}

const ENV_PREFIX = 'ATTESTA_';
/** Variables with the ATTESTA_ prefix that are not settings: read elsewhere, never refused. */
export const NOT_SETTINGS = new Set([
  'ATTESTA_CONFIG',
  'ATTESTA_MASTER_KEY',
  'ATTESTA_ADMIN_KEY',
  'ATTESTA_CHROMIUM',
]);
/** Prefixes of tooling variables (CI's Node, tests, benchmarks). */
const NOT_SETTING_PREFIXES = ['ATTESTA_NODE_', 'ATTESTA_TEST_', 'ATTESTA_BENCH_'];

export const DEFAULT_CONFIG_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../config/default.json',
);

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readJsonFile(path: string): JsonObject {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('file', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    const parsed: unknown = JSON.parse(text);
    if (!isObject(parsed)) throw new Error('not an object');
    return parsed;
  } catch (error) {
    throw new ConfigError('file', `${path} is not a JSON object (${(error as Error).message})`);
  }
}

/** Deep merge where objects merge key by key and everything else (arrays included) replaces. */
export function merge(base: JsonObject, override: JsonObject): JsonObject {
  const out: JsonObject = { ...base };
  for (const [key, value] of Object.entries(override)) {
    const current = out[key];
    out[key] = isObject(current) && isObject(value) ? merge(current, value) : value;
  }
  return out;
}

/**
 * `ATTESTA_AUTHZ__PORT=4001` sets `authz.port`: `__` separates levels, and each level matches a key
 * of the schema case-insensitively (`ATTESTA_ISSUER__PUBLIC_URL` → `issuer.publicUrl`). String
 * settings take the value as it is; others are read as JSON (numbers, booleans, arrays, objects).
 * A variable that names no setting stops start-up, with the closest variable that does.
 */
export function environmentOverrides(env: NodeJS.ProcessEnv): JsonObject {
  const out: JsonObject = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || raw === undefined) continue;
    if (NOT_SETTINGS.has(name) || NOT_SETTING_PREFIXES.some((prefix) => name.startsWith(prefix))) continue;
    const found = lookupEnv(ConfigSchema, name.slice(ENV_PREFIX.length).split('__'));
    if (!found.ok) {
      const suggestion = found.suggestion ?? levelSeparatorFix(name);
      const hint = suggestion ? ` (did you mean ${suggestion}?)` : '';
      throw new ConfigError(
        name,
        `no setting ${found.path.join('.')}${hint}; docs/configuration.md lists them`,
      );
    }
    let target = out;
    for (const key of found.path.slice(0, -1)) {
      const next = isObject(target[key]) ? target[key] : {};
      target[key] = next;
      target = next;
    }
    target[found.path.at(-1) as string] = parseEnvValue(raw, found.schema);
  }
  return out;
}

/** `ATTESTA_ISSUER_PORT` → `ATTESTA_ISSUER__PORT`: a single `_` where a level separator was meant. */
function levelSeparatorFix(name: string): string | undefined {
  const rest = name.slice(ENV_PREFIX.length);
  for (let i = rest.indexOf('_'); i > 0; i = rest.indexOf('_', i + 2)) {
    if (rest[i + 1] === '_' || rest[i - 1] === '_') continue;
    const candidate = `${rest.slice(0, i)}_${rest.slice(i)}`;
    if (lookupEnv(ConfigSchema, candidate.split('__')).ok) return ENV_PREFIX + candidate;
  }
  return undefined;
}

function parseEnvValue(raw: string, schema: TSchema): Json {
  if ((schema as { type?: unknown }).type === 'string') return raw;
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw;
  }
}

/** A key the schema does not name, in a file or the defaults, stops start-up with the closest key. */
function refuseUnknownKeys(value: JsonObject, source: string): void {
  const unknown = findUnknownKey(ConfigSchema, value);
  if (!unknown) return;
  const hint = unknown.suggestion ? ` (did you mean ${unknown.suggestion}?)` : '';
  throw new ConfigError(
    unknown.path,
    `unknown setting in ${source}${hint}; docs/configuration.md lists them`,
  );
}

/**
 * `dataDir` is taken relative to the working directory; relative SQLite paths and the master key file
 * are taken relative to `dataDir`, so one setting moves all of Attesta's files.
 */
function resolvePaths(config: Config, cwd: string): Config {
  const dataDir = resolve(cwd, config.dataDir);
  const sqlite = (url: string) =>
    url.startsWith('sqlite:') && url !== 'sqlite::memory:' ? `sqlite:${resolve(dataDir, url.slice(7))}` : url;
  return {
    ...config,
    dataDir,
    keys: { ...config.keys, masterKeyFile: resolve(dataDir, config.keys.masterKeyFile) },
    registry: { ...config.registry, database: sqlite(config.registry.database) },
    authz: { ...config.authz, database: sqlite(config.authz.database) },
    issuer: { ...config.issuer, database: sqlite(config.issuer.database) },
    portal: { ...config.portal, database: sqlite(config.portal.database) },
  };
}

function checkPublicUrls(config: Config): void {
  if (config.mode === 'development') return;
  for (const service of ['authz', 'issuer', 'portal'] as const) {
    if (!config[service].publicUrl.startsWith('https://')) {
      throw new ConfigError(`${service}.publicUrl`, 'must be https outside development mode');
    }
  }
}

function checkTrustProxy(config: Config): void {
  const invalid = invalidProxyEntry(trustedProxies(config.http.trustProxy));
  if (invalid !== undefined) {
    throw new ConfigError(
      'http.trustProxy',
      `"${invalid}" is not an IP address, a CIDR range, loopback, linklocal or uniquelocal`,
    );
  }
}

export interface LoadOptions {
  file?: string;
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Programmatic overrides applied last (tests). */
  overrides?: Record<string, unknown>;
}

/** Loads defaults, then a config file, then ATTESTA_* variables, then overrides; validates the result. */
export function loadConfig(options: LoadOptions = {}): Config {
  const env = options.env ?? process.env;
  const defaults = readJsonFile(DEFAULT_CONFIG_FILE);
  refuseUnknownKeys(defaults, DEFAULT_CONFIG_FILE);
  let merged = defaults;
  const file = options.file ?? env.ATTESTA_CONFIG;
  if (file) {
    const path = resolve(options.cwd ?? process.cwd(), file);
    const fromFile = readJsonFile(path);
    refuseUnknownKeys(fromFile, path);
    merged = merge(merged, fromFile);
  }
  const fromEnv = environmentOverrides(env);
  refuseUnknownKeys(fromEnv, 'the environment');
  merged = merge(merged, fromEnv);
  if (options.overrides) {
    refuseUnknownKeys(options.overrides as JsonObject, 'the overrides');
    merged = merge(merged, options.overrides as JsonObject);
  }

  const firstError = Value.Errors(ConfigSchema, merged).First();
  if (firstError) {
    const key = firstError.path.replace(/^\//, '').replaceAll('/', '.') || '(root)';
    throw new ConfigError(
      key,
      `${firstError.message} (got ${JSON.stringify(firstError.value) ?? 'nothing'})`,
    );
  }
  const config = resolvePaths(merged as unknown as Config, options.cwd ?? process.cwd());
  checkPublicUrls(config);
  checkTrustProxy(config);
  return config;
}
