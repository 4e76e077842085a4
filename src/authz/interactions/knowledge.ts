import { createHash, timingSafeEqual } from 'node:crypto';
import type { Identity, IdentityRegistry } from '../../platform/registry/index.js';

export interface KnowledgeAnswers {
  individualId: string;
  fullName: string;
  dateOfBirth: string;
}

/**
 * Names as people type them: Unicode NFC, case-folded (upper then lower approximates full case
 * folding, e.g. "ß" → "ss"), runs of whitespace collapsed to one space, trimmed.
 */
export function normaliseName(name: string): string {
  return name.normalize('NFC').toUpperCase().toLowerCase().normalize('NFC').replace(/\s+/gu, ' ').trim();
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Equality that takes the same time wherever the strings differ (hashing fixes the length). */
function constantTimeEquals(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** Compared against when the ID is unknown, so that path does the same work as a wrong answer. */
const NOBODY: Pick<Identity, 'fullName' | 'birthDate'> = { fullName: '\u0000', birthDate: '\u0000' };

/**
 * Knowledge-based identification: the person is who the registry says when the individual ID
 * exists and both the full name and the date of birth match. Returns the identity or undefined;
 * the caller must not reveal which of the three was wrong.
 */
export async function identify(
  registry: IdentityRegistry,
  answers: KnowledgeAnswers,
): Promise<Identity | undefined> {
  const identity = await registry.findByIndividualId(answers.individualId.trim());
  const expected = identity ?? NOBODY;
  const nameMatches = constantTimeEquals(normaliseName(answers.fullName), normaliseName(expected.fullName));
  const dateMatches = constantTimeEquals(answers.dateOfBirth, expected.birthDate);
  return identity && nameMatches && dateMatches ? identity : undefined;
}
