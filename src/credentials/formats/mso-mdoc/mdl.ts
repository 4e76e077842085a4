import { Tag } from 'cbor-x';

export const MDL_DOCTYPE = 'org.iso.18013.5.1.mDL';
export const MDL_NAMESPACE = 'org.iso.18013.5.1';

/** ISO/IEC 18013-5 §7.2.1 Table 5: the data elements an mDL must carry. */
export const MDL_MANDATORY_ELEMENTS = [
  'family_name',
  'given_name',
  'birth_date',
  'issue_date',
  'expiry_date',
  'issuing_country',
  'issuing_authority',
  'document_number',
  'portrait',
  'driving_privileges',
  'un_distinguishing_sign',
] as const;

/**
 * A neutral silhouette (24×32 JPEG, drawn for this project) for demo mDLs whose registry holds no
 * photograph: `portrait` is mandatory, and a real deployment maps the registry's image instead.
 */
export const PLACEHOLDER_PORTRAIT = Buffer.from(
  '/9j/4AAQSkZJRgABAQAAAQABAAD/4gHYSUNDX1BST0ZJTEUAAQEAAAHIAAAAAAQwAABtbnRyUkdCIFhZWiAH4AABAAEAAAAAAABhY3NwAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAQAA9tYAAQAAAADTLQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAlkZXNjAAAA8AAAACRyWFlaAAABFAAAABRnWFlaAAABKAAAABRiWFlaAAABPAAAABR3dHB0AAABUAAAABRyVFJDAAABZAAAAChnVFJDAAABZAAAAChiVFJDAAABZAAAAChjcHJ0AAABjAAAADxtbHVjAAAAAAAAAAEAAAAMZW5VUwAAAAgAAAAcAHMAUgBHAEJYWVogAAAAAAAAb6IAADj1AAADkFhZWiAAAAAAAABimQAAt4UAABjaWFlaIAAAAAAAACSgAAAPhAAAts9YWVogAAAAAAAA9tYAAQAAAADTLXBhcmEAAAAAAAQAAAACZmYAAPKnAAANWQAAE9AAAApbAAAAAAAAAABtbHVjAAAAAAAAAAEAAAAMZW5VUwAAACAAAAAcAEcAbwBvAGcAbABlACAASQBuAGMALgAgADIAMAAxADb/2wBDAA0JCgsKCA0LCgsODg0PEyAVExISEyccHhcgLikxMC4pLSwzOko+MzZGNywtQFdBRkxOUlNSMj5aYVpQYEpRUk//2wBDAQ4ODhMREyYVFSZPNS01T09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT09PT0//wAARCAAgABgDASIAAhEBAxEB/8QAGQAAAgMBAAAAAAAAAAAAAAAAAAYBBAUD/8QAKhAAAAMECAcBAAAAAAAAAAAAABESAQIEEwMFBhQVMUFhRFFygpGhwYH/xAAVAQEBAAAAAAAAAAAAAAAAAAACA//EABgRAQEBAQEAAAAAAAAAAAAAAAEAEQIh/9oADAMBAAIRAxEAPwB+FXEYObLvDijLbzkCs5mHU8o1J05a+jCiKhtNcngAq1ZMw6gmmpOvLT0QAZUR0fQwKJzr7yzJLGNy/dxlX2p5i7k+fSwvBkOlpeG7vgww+TyCzbAx9DHLkuvuoI1MYzM99gDOs1xPb9ACmMi//9k=',
  'base64',
);

const FULL_DATE = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Template values → CBOR-ready element values: `YYYY-MM-DD` strings of `*_date` elements become
 * full-date (tag 1004 over the string, RFC 8943) as §7.2.1 requires, `portrait`/`signature_usual_mark` given as
 * base64 become bytes; objects and arrays (driving_privileges) are converted member by member.
 */
export function toElementValue(identifier: string, value: unknown): unknown {
  if (
    typeof value === 'string' &&
    (identifier.endsWith('_date') || identifier === 'birth_date') &&
    FULL_DATE.test(value)
  ) {
    return new Tag(value, 1004);
  }
  if (typeof value === 'string' && (identifier === 'portrait' || identifier === 'signature_usual_mark')) {
    return new Uint8Array(Buffer.from(value, 'base64'));
  }
  if (Buffer.isBuffer(value)) return new Uint8Array(value);
  if (Array.isArray(value)) return value.map((item) => toElementValue(identifier, item));
  if (
    typeof value === 'object' &&
    value !== null &&
    !(value instanceof Uint8Array) &&
    !(value instanceof Date)
  ) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toElementValue(k, v)]));
  }
  return value;
}

/** Names the mandatory mDL elements a namespace lacks (empty when complete). */
export function missingMdlElements(elements: Record<string, unknown> | undefined): string[] {
  return MDL_MANDATORY_ELEMENTS.filter((name) => elements?.[name] === undefined || elements[name] === null);
}
