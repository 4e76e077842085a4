import { readFileSync } from 'node:fs';
import type { TSchema } from '@sinclair/typebox';
import { envName, listSettings, type Setting } from './keys.js';
import { DEFAULT_CONFIG_FILE } from './load.js';
import { ConfigSchema } from './schema.js';

/**
 * docs/configuration.md, generated from the schema (descriptions, types, bounds) and
 * config/default.json (defaults), so the page cannot drift from the code: `npm run docs:config`
 * writes it and test/platform/config-reference.test.ts fails when it is stale.
 */
type Node = TSchema & {
  description?: string;
  type?: string;
  anyOf?: Node[];
  const?: unknown;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  pattern?: string;
  format?: string;
  items?: Node;
  minItems?: number;
  maxItems?: number;
};

function valueAt(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  return current;
}

function typeOf(node: Node): string {
  if (node.anyOf?.every((branch) => branch.const !== undefined))
    return node.anyOf.map((branch) => `\`${String(branch.const)}\``).join(' \\| ');
  const bounds: string[] = [];
  if (node.minimum !== undefined) bounds.push(`≥ ${node.minimum}`);
  if (node.maximum !== undefined) bounds.push(`≤ ${node.maximum}`);
  if (node.minItems !== undefined) bounds.push(`≥ ${node.minItems} items`);
  if (node.maxItems !== undefined) bounds.push(`≤ ${node.maxItems} items`);
  const base =
    node.type === 'array'
      ? `array of ${node.items?.type === 'object' ? 'objects' : `${node.items?.type ?? 'values'}s`}`
      : node.type === 'object'
        ? 'object (JSON)'
        : node.format === 'uri'
          ? 'URL'
          : (node.type ?? 'value');
  return bounds.length ? `${base}, ${bounds.join(', ')}` : base;
}

function defaultOf(defaults: unknown, setting: Setting): string {
  const value = valueAt(defaults, setting.path);
  if (value === undefined) return setting.required ? '(required)' : '(unset)';
  const text = JSON.stringify(value);
  if (text.length > 60) return '(see config/default.json)';
  return `\`${text.replaceAll('|', '\\|')}\``;
}

function row(defaults: unknown, setting: Setting): string {
  const node = setting.schema as Node;
  const meaning = (node.description ?? '').replaceAll('|', '\\|').replaceAll('\n', ' ');
  return `| \`${setting.path.join('.')}\` | \`${envName(setting.path)}\` | ${typeOf(node)} | ${defaultOf(defaults, setting)} | ${meaning} |`;
}

const INTRO = `# Configuration reference

<!-- Generated from src/platform/config/schema.ts and config/default.json by \`npm run docs:config\`;
     test/platform/config-reference.test.ts fails when this page is stale. Do not edit by hand. -->

One validated configuration object, read in this order (later wins):

1. \`config/default.json\` (the defaults below);
2. a JSON file named by \`--config <file>\` or \`ATTESTA_CONFIG\`;
3. \`ATTESTA_*\` environment variables: \`__\` between levels, \`_\` between words
   (\`ATTESTA_ISSUER__PUBLIC_URL\` sets \`issuer.publicUrl\`). String settings take the value as it is;
   numbers, booleans, arrays and objects are read as JSON (\`ATTESTA_ISSUER__AUTHORIZATION_SERVERS='["https://id.example.org"]'\`).

A key or variable that names no setting stops start-up with the closest one that does
(\`configuration: issuer.nonceTTL: unknown setting in attesta.json (did you mean issuer.nonceTtl?)\`), and so
does a bad value (\`configuration: issuer.port: Expected integer\`). Variables that are not settings:
\`ATTESTA_CONFIG\`, \`ATTESTA_MASTER_KEY\` (the master key itself, 64 hex characters; wins over
\`keys.masterKeyFile\`), and tooling variables starting \`ATTESTA_NODE_\`, \`ATTESTA_TEST_\`, \`ATTESTA_BENCH_\`.

Paths: \`dataDir\` is relative to the working directory; relative \`sqlite:\` database paths and
\`keys.masterKeyFile\` are relative to \`dataDir\`, so \`ATTESTA_DATA_DIR=/var/lib/attesta\` moves every file
Attesta writes. A database is named by URL: \`sqlite:<path>\` (embedded; \`?synchronous=normal\` trades the
last commits on power loss for speed) or \`postgres://user@host:5432/name\`.
`;

const SECTIONS: Record<string, string> = {
  '': 'General',
  log: 'Logs',
  shutdown: 'Stopping (docs/operations.md)',
  http: 'HTTP servers',
  database: 'Database connections',
  keys: 'Keys',
  registry: 'Identity registry (docs/authz.md)',
  authz: 'authz: the OpenID Provider (docs/authz.md, docs/authz-protocol.md)',
  issuer: 'issuer: the credential issuer (docs/issuer-protocol.md, docs/issuance-data.md)',
  portal: 'portal (docs/portal.md)',
};

export function configurationReference(): string {
  const defaults: unknown = JSON.parse(readFileSync(DEFAULT_CONFIG_FILE, 'utf8'));
  const groups = new Map<string, Setting[]>();
  for (const setting of listSettings(ConfigSchema)) {
    const group = setting.path.length > 1 ? (setting.path[0] as string) : '';
    groups.set(group, [...(groups.get(group) ?? []), setting]);
  }
  const parts = [INTRO];
  for (const [group, settings] of groups) {
    parts.push(`## ${SECTIONS[group] ?? group}\n`);
    parts.push('| setting | environment variable | type | default | meaning |');
    parts.push('| --- | --- | --- | --- | --- |');
    for (const setting of settings) parts.push(row(defaults, setting));
    parts.push('');
  }
  return `${parts.join('\n').trimEnd()}\n`;
}
