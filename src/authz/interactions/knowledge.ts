import type { Identity, IdentityRegistry } from '../../platform/registry/index.js';
import { constantTimeEquals } from '../factors/secrets.js';
import type { KbiField } from '../views/login.js';

/**
 * Names as people type them: Unicode NFC, case-folded (upper then lower approximates full case
 * folding, e.g. "ß" → "ss"), runs of whitespace collapsed to one space, trimmed.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC').replace(/\s+/gu, ' ').trim();
}

const normalise = (field: KbiField, value: string) =>
  field.match === 'name' ? normaliseName(value) : value.normalize('NFC').trim();

/** The registry value a field is compared with (`streetAddress` etc. live under `address`). */
function registryValue(identity: Identity, attribute: string): string | undefined {
  const record = identity as unknown as Record<string, unknown>;
  const value = record[attribute] ?? (identity.address as Record<string, unknown> | undefined)?.[attribute];
  return typeof value === 'string' ? value : undefined;
}

/** Whether every answer has the field's configured shape (checked before any registry lookup). */
export function answersWellFormed(fields: KbiField[], answers: Record<string, unknown>): boolean {
  return fields.every((field) => {
    const value = answers[field.id];
    if (typeof value !== 'string' || value.trim() === '') return false;
    if (value.length > (field.maxLength ?? 200)) return false;
    if (field.type === 'date' && !/^[0-9]{4}-[0-9]{2}-[0-9]{2}$/.test(value)) return false;
    return field.pattern === undefined || new RegExp(field.pattern, 'u').test(value.trim());
  });
}

/** Compared against when the ID is unknown, so that path does the same work as a wrong answer. */
const NOBODY = '\u0000';

/**
 * Knowledge-based identification: the person is who the registry says when the ID field finds
 * them and every other configured field matches the registry. Every field is compared (in constant
 * time) even after a mismatch or for an unknown ID; the caller must not reveal which one failed.
 */
export async function identifyByFields(
  registry: IdentityRegistry,
  fields: KbiField[],
  answers: Record<string, string>,
): Promise<Identity | undefined> {
  const idField = fields.find((f) => f.attribute === 'individualId');
  const individualId = (idField && answers[idField.id]?.trim()) || '';
  const identity = await registry.findByIndividualId(individualId);
  let matches = identity !== undefined;
  for (const field of fields) {
    if (field === idField) continue;
    const expected = identity ? registryValue(identity, field.attribute) : undefined;
    const equal = constantTimeEquals(
      normalise(field, answers[field.id] ?? ''),
      expected === undefined ? NOBODY : normalise(field, expected),
    );
    matches = matches && equal && expected !== undefined;
  }
  return matches ? identity : undefined;
}
