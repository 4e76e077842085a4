import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FormatRegistry } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
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
/** Environment variables that are not configuration keys. */
const NOT_CONFIG = new Set(['ATTESTA_CONFIG', 'ATTESTA_MASTER_KEY']);

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
 * `ATTESTA_AUTHZ__PORT=4001` sets `authz.port`: `__` separates levels, and each level matches an
 * existing key case-insensitively (`ATTESTA_ISSUER__PUBLIC_URL` → `issuer.publicUrl`). Values are read
 * as JSON when they parse (numbers, booleans, arrays), else as strings.
 */
export function environmentOverrides(env: NodeJS.ProcessEnv, shape: JsonObject): JsonObject {
  const out: JsonObject = {};
  for (const [name, raw] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || NOT_CONFIG.has(name) || raw === undefined) continue;
    const segments = name.slice(ENV_PREFIX.length).split('__');
    let target = out;
    let known: Json | undefined = shape;
    const path: string[] = [];
    for (const [i, segment] of segments.entries()) {
      const wanted = segment.replaceAll('_', '').toLowerCase();
      const key: string | undefined = isObject(known)
        ? Object.keys(known).find((k) => k.toLowerCase() === wanted)
        : undefined;
      if (key === undefined)
        throw new ConfigError(name, `no configuration key ${[...path, segment].join('.')}`);
      path.push(key);
      known = isObject(known) ? known[key] : undefined;
      if (i === segments.length - 1) {
        target[key] = parseEnvValue(raw, known);
      } else {
        const next = isObject(target[key]) ? target[key] : {};
        target[key] = next;
        target = next;
      }
    }
  }
  return out;
}

function parseEnvValue(raw: string, current: Json | undefined): Json {
  if (typeof current === 'string') return raw;
  try {
    return JSON.parse(raw) as Json;
  } catch {
    return raw;
  }
}

function resolvePaths(config: Config, cwd: string): Config {
  const sqlite = (url: string) => (url.startsWith('sqlite:') ? `sqlite:${resolve(cwd, url.slice(7))}` : url);
  return {
    ...config,
    dataDir: resolve(cwd, config.dataDir),
    keys: { ...config.keys, masterKeyFile: resolve(cwd, config.keys.masterKeyFile) },
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
  let merged = defaults;
  const file = options.file ?? env.ATTESTA_CONFIG;
  if (file) merged = merge(merged, readJsonFile(resolve(options.cwd ?? process.cwd(), file)));
  merged = merge(merged, environmentOverrides(env, defaults));
  if (options.overrides) merged = merge(merged, options.overrides as JsonObject);

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
  return config;
}
