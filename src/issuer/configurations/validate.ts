import { readFile } from 'node:fs/promises';
import { Value } from '@sinclair/typebox/value';
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

const W3C = new Set(['jwt_vc_json', 'ldp_vc']);
const SD_JWT = new Set(['dc+sd-jwt', 'vc+sd-jwt']);

/** The key that makes a configuration unique: one per vct / type set / doctype per format. */
export function uniqueKey(c: CredentialConfiguration): string {
  if (SD_JWT.has(c.format)) return `${c.format} vct ${c.vct}`;
  if (W3C.has(c.format))
    return `${c.format} type ${[...new Set(c.credentialDefinition?.type ?? [])].sort().join(',')}`;
  return `${c.format} doctype ${c.doctype}`;
}

function formatProblems(c: CredentialConfiguration): string[] {
  const problems: string[] = [];
  if (SD_JWT.has(c.format)) {
    if (!c.vct) problems.push(`vct: required for ${c.format}`);
    if (c.doctype || c.credentialDefinition)
      problems.push(`${c.format} takes vct, not doctype or credentialDefinition`);
  } else if (W3C.has(c.format)) {
    const types = c.credentialDefinition?.type ?? [];
    if (!types.includes('VerifiableCredential'))
      problems.push('credentialDefinition.type: must include VerifiableCredential');
    if (c.vct || c.doctype) problems.push(`${c.format} takes credentialDefinition, not vct or doctype`);
    if (c.format === 'ldp_vc' && !c.credentialDefinition?.['@context'])
      problems.push('credentialDefinition.@context: required for ldp_vc');
  } else if (c.format === 'mso_mdoc') {
    if (!c.doctype) problems.push('doctype: required for mso_mdoc');
    if (c.vct || c.credentialDefinition)
      problems.push('mso_mdoc takes doctype, not vct or credentialDefinition');
  }
  // Suite, algorithm and key must agree: EdDSA suites sign with an Ed25519 key, ECDSA with P-256.
  if (c.proofSuite) {
    if (c.format !== 'ldp_vc') problems.push('proofSuite: only for ldp_vc');
    const needs = c.proofSuite === 'ecdsa-rdfc-2019' ? 'ES256' : 'EdDSA';
    if (c.signingAlg && c.signingAlg !== needs)
      problems.push(`signingAlg: ${c.proofSuite} signs with ${needs}, not ${c.signingAlg}`);
  }
  if (c.format === 'mso_mdoc' && c.signingAlg === 'EdDSA')
    problems.push('signingAlg: mso_mdoc is signed with ES256 here (ISO 18013-5 issuer keys are ECDSA)');
  if (c.dataModel && !W3C.has(c.format)) problems.push('dataModel: only for W3C formats');
  if (c.proofSuite === 'Ed25519Signature2020' && c.dataModel === '2.0')
    problems.push('proofSuite: Ed25519Signature2020 goes with data model 1.1');
  if ((c.typeMetadata || c.decoys !== undefined) && !SD_JWT.has(c.format))
    problems.push('typeMetadata and decoys are for SD-JWT VC only');
  return problems;
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
  if (c.format === 'mso_mdoc') {
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
  const problems = [...formatProblems(c), ...providerProblems(c), ...templateProblems(c)];
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
