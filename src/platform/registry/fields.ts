import type { Identity } from './identity.js';

/**
 * The flat names of the `Identity` fields an adapter can map a column, CSV header or JSON
 * attribute to. Configuration maps each to the source's own name (`{"fullName": "holder_name"}`).
 */
export const IDENTITY_FIELDS = [
  'individualId',
  'fullName',
  'givenName',
  'familyName',
  'birthDate',
  'gender',
  'email',
  'phone',
  'streetAddress',
  'locality',
  'postalCode',
  'country',
  'nationality',
  'passwordHash',
] as const;

export type IdentityField = (typeof IDENTITY_FIELDS)[number];
export type FieldMapping = Partial<Record<IdentityField, string>>;

/** Reads a value at a dotted path (`name.full`) of a JSON object; only strings and numbers count. */
export function valueAt(record: unknown, path: string): string | undefined {
  let current: unknown = record;
  for (const key of path.split('.')) {
    if (typeof current !== 'object' || current === null || Array.isArray(current)) return undefined;
    current = (current as Record<string, unknown>)[key];
  }
  if (typeof current === 'number') return String(current);
  return typeof current === 'string' && current !== '' ? current : undefined;
}

/**
 * Builds an `Identity` from a source record through a field mapping. Returns undefined when the
 * record lacks the id, the full name or the birth date (a registry entry without them cannot be
 * used to authenticate or to issue).
 */
export function identityFrom(
  read: (sourceName: string) => string | undefined,
  mapping: FieldMapping,
): Identity | undefined {
  const get = (field: IdentityField) => {
    const source = mapping[field];
    return source === undefined ? undefined : read(source)?.trim() || undefined;
  };
  const individualId = get('individualId');
  const fullName = get('fullName');
  const birthDate = get('birthDate');
  if (!individualId || !fullName || !birthDate) return undefined;
  const address = {
    streetAddress: get('streetAddress'),
    locality: get('locality'),
    postalCode: get('postalCode'),
    country: get('country'),
  };
  const identity: Identity = {
    individualId,
    fullName,
    givenName: get('givenName'),
    familyName: get('familyName'),
    birthDate,
    gender: get('gender'),
    email: get('email'),
    phone: get('phone'),
    address: Object.values(address).some((v) => v !== undefined) ? address : undefined,
    nationality: get('nationality'),
    passwordHash: get('passwordHash'),
  };
  for (const key of Object.keys(identity) as (keyof Identity)[]) {
    if (identity[key] === undefined) delete identity[key];
  }
  return identity;
}
