import type { TSchema } from '@sinclair/typebox';
import { closest } from './did-you-mean.js';

/**
 * The configuration schema read as a tree of keys: which keys an object admits (a misspelt one stops
 * start-up), which environment variable names each setting, and the list of settings that
 * docs/configuration.md is generated from.
 */
type Node = TSchema & {
  properties?: Record<string, TSchema>;
  patternProperties?: Record<string, TSchema>;
  items?: TSchema;
  required?: string[];
  anyOf?: TSchema[];
};

/** An object with named keys (TypeBox `Object`), not a record of free keys. */
export function objectProperties(schema: TSchema): Record<string, TSchema> | undefined {
  const node = schema as Node;
  return node.type === 'object' && node.properties ? node.properties : undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `publicUrl` → `PUBLIC_URL`. */
export function envSegment(key: string): string {
  return key.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase();
}

/** `['issuer', 'publicUrl']` → `ATTESTA_ISSUER__PUBLIC_URL`. */
export function envName(path: readonly string[]): string {
  return `ATTESTA_${path.map(envSegment).join('__')}`;
}

export interface UnknownKey {
  /** Dotted path of the unknown key (`issuer.prot`). */
  path: string;
  /** The closest admitted key at the same place, dotted (`issuer.port`). */
  suggestion?: string;
}

/**
 * The first key of `value` that the schema does not name, walking objects and arrays (records admit
 * any key; unions are checked by validation). Unknown keys are refused rather than ignored, so a
 * misspelt setting cannot silently fall back to its default.
 */
export function findUnknownKey(schema: TSchema, value: unknown, path: string[] = []): UnknownKey | undefined {
  const node = schema as Node;
  const properties = objectProperties(schema);
  if (properties && isPlainObject(value)) {
    for (const [key, child] of Object.entries(value)) {
      const here = [...path, key];
      const known = properties[key];
      if (!known) {
        const guess = closest(key, Object.keys(properties));
        return { path: here.join('.'), suggestion: guess ? [...path, guess].join('.') : undefined };
      }
      const found = findUnknownKey(known, child, here);
      if (found) return found;
    }
  }
  if (node.type === 'array' && node.items && Array.isArray(value)) {
    for (const [index, item] of value.entries()) {
      const found = findUnknownKey(node.items, item, [...path, String(index)]);
      if (found) return found;
    }
  }
  return undefined;
}

export interface Setting {
  path: string[];
  schema: TSchema;
  /** False for keys marked Optional in the schema. */
  required: boolean;
}

/**
 * Every setting: a leaf value, an array or a record (set as a whole, e.g. by JSON in its variable).
 * Objects with named keys are walked into.
 */
export function listSettings(schema: TSchema, path: string[] = [], required = true): Setting[] {
  const properties = objectProperties(schema);
  if (!properties) return [{ path, schema, required }];
  const requiredKeys = new Set((schema as Node).required ?? []);
  return Object.entries(properties).flatMap(([key, child]) =>
    listSettings(child, [...path, key], required && requiredKeys.has(key)),
  );
}

export type EnvLookup =
  | { ok: true; path: string[]; schema: TSchema }
  | { ok: false; path: string[]; suggestion?: string };

/**
 * Resolves `ATTESTA_A__B_C` against the schema: `__` separates levels, each level matches a key
 * case-insensitively without its underscores (`PUBLIC_URL` → `publicUrl`). An object with named keys
 * may be set as a whole (JSON) or key by key; a record or array only as a whole.
 */
export function lookupEnv(schema: TSchema, segments: readonly string[]): EnvLookup {
  let node = schema;
  const path: string[] = [];
  for (const segment of segments) {
    const properties = objectProperties(node);
    const wanted = segment.replaceAll('_', '').toLowerCase();
    const key = properties && Object.keys(properties).find((k) => k.toLowerCase() === wanted);
    if (!properties || !key) {
      const guess = properties && closest(wanted, Object.keys(properties));
      return {
        ok: false,
        path: [...path, segment],
        suggestion: guess ? envName([...path, guess]) : undefined,
      };
    }
    path.push(key);
    node = properties[key] as TSchema;
  }
  return { ok: true, path, schema: node };
}
