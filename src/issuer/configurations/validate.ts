import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
import { requireFormat } from '../../credentials/formats/index.js';
import { parseCsv } from '../providers/csv.js';
import { dataFile } from '../providers/providers.js';
import { checkQuery } from '../providers/sql.js';
import { CompiledTemplate } from '../templates/compile.js';
import { TemplateError } from '../templates/errors.js';
import { ConfigurationSchema } from './schema.js';
import type { CredentialConfiguration } from './types.js';

/** A configuration that cannot be saved; `problems` name the member and what is wrong. */
export class ConfigurationError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
    this.name = 'ConfigurationError';
  }
}

/** The key that makes a configuration unique: one per vct / type set / doctype per format. */
export function uniqueKey(c: CredentialConfiguration): string {
  const kind = requireFormat(c.format).documentKind;
  if (kind === 'sd-jwt') return `${c.format} vct ${c.vct}`;
  if (kind === 'w3c')
    return `${c.format} type ${[...new Set(c.credentialDefinition?.type ?? [])].sort().join(',')}`;
  return `${c.format} doctype ${c.doctype}`;
}

function providerProblems(c: CredentialConfiguration): string[] {
  const p = c.provider;
  if (!p) return [];
  if (p.type === 'sql') {
    const problem = checkQuery(p.query);
    return problem ? [`provider.query: ${problem}`] : [];
  }
  if (p.type === 'csv' && !p.file.endsWith('.csv')) return ['provider.file: must be a .csv file'];
  if (p.type === 'http' && !p.url.includes('{key}')) return ['provider.url: must contain {key}'];
  return [];
}

function templateProblems(c: CredentialConfiguration): string[] {
  if (!c.template) return ['template: required'];
  try {
    new CompiledTemplate(c.id, c.template);
  } catch (error) {
    if (error instanceof TemplateError) return [`template: ${error.message}`];
    throw error;
  }
  if (requireFormat(c.format).documentKind === 'mdoc') {
    for (const [namespace, elements] of Object.entries(c.template.output)) {
      if (typeof elements === 'string')
        return [`template ${c.template.name}: ${namespace}: mdoc output maps namespaces to elements`];
    }
  }
  return [];
}

/**
 * Checks a configuration before it is saved: its schema, the per-format members, suite/algorithm
 * consistency, the provider and the template (compiled). Returns the configuration typed.
 */
export function validateConfiguration(input: unknown): CredentialConfiguration {
  if (!Value.Check(ConfigurationSchema, input)) {
    const problems = [...Value.Errors(ConfigurationSchema, input)]
      .slice(0, 5)
      .map((e) => `${e.path.replace(/^\//, '').replaceAll('/', '.') || '(root)'}: ${e.message}`);
    throw new ConfigurationError(problems);
  }
  const c = input as CredentialConfiguration;
  const problems = [
    ...requireFormat(c.format).configurationProblems(c),
    ...(c.suspension !== undefined && requireFormat(c.format).statusList !== 'bitstring-status-list'
      ? ['suspension: only for W3C formats (a token status list entry has a suspended value of its own)']
      : []),
    ...providerProblems(c),
    ...templateProblems(c),
  ];
  if (problems.length) throw new ConfigurationError(problems);
  return c;
}

/**
 * Checks on save that need I/O: a CSV provider's file is readable and has the key column. (An SQL
 * database or HTTP API may legitimately be down when a configuration is saved; they are not probed.)
 */
export async function checkProviderData(configuration: CredentialConfiguration): Promise<void> {
  const provider = configuration.provider;
  if (provider?.type !== 'csv') return;
  let header: string[] | undefined;
  try {
    const text = await readFile(dataFile(provider.file), 'utf8');
    header = parseCsv(text.slice(0, text.indexOf('\n') + 1 || undefined))[0];
  } catch {
    throw new ConfigurationError(['provider.file: cannot be read']);
  }
  if (!header?.includes(provider.keyColumn)) {
    throw new ConfigurationError([`provider.keyColumn: ${provider.keyColumn} is not a column of the file`]);
  }
}
