import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import ajvFormats from 'ajv-formats';

/** The OpenID Foundation conformance suite's OpenID4VCI 1.0 schemas and fixtures, copied into test/fixtures. */
export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '../../fixtures/oid4vci-1.0');

const ajv = new Ajv2020({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
// ajv-formats is CommonJS: under NodeNext its function is the module's `default` member.
ajvFormats.default(ajv);
const validate = ajv.compile(
  JSON.parse(readFileSync(join(FIXTURES, 'schemas/credential_issuer_metadata-1_0.json'), 'utf8')),
);

/** Unknown-member findings, which the conformance suite reports as warnings rather than failures. */
const UNKNOWN_MEMBER = new Set(['additionalProperties', 'unevaluatedProperties']);

export function schemaErrors(metadata: unknown): ErrorObject[] {
  return validate(metadata) ? [] : [...(validate.errors ?? [])];
}

/** Errors as the conformance suite counts them (VCICredentialIssuerMetadataValidation): unknown members excluded. */
export function structuralErrors(metadata: unknown): ErrorObject[] {
  return schemaErrors(metadata).filter((e) => !UNKNOWN_MEMBER.has(e.keyword));
}

export function metadataFixtures(): { name: string; document: unknown }[] {
  const dir = join(FIXTURES, 'metadata');
  return readdirSync(dir)
    .sort()
    .map((name) => ({ name, document: JSON.parse(readFileSync(join(dir, name), 'utf8')) }));
}
