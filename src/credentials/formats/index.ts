import { dataModelOf } from './configuration.js';
import type { CredentialFormatId } from './ids.js';
import { jwtVcJson } from './jwt-vc-json/index.js';
import { ldpVc } from './ldp-vc/format.js';
import { msoMdoc } from './mso-mdoc/format.js';
import { sdJwtVc } from './sd-jwt-vc/index.js';
import type { CredentialFormat, FormatConfigurationFields, W3cDataModel } from './types.js';
import { vcJwt } from './vc-jwt/index.js';

/**
 * Every credential format, in detection order. Adding a format is a folder beside these and one
 * entry here (its identifiers join the `CredentialFormatId` type in ids.ts); docs/architecture.md
 * shows an example.
 */
export const FORMATS: readonly CredentialFormat[] = [sdJwtVc, jwtVcJson, vcJwt, ldpVc, msoMdoc];

const BY_ID = new Map<string, CredentialFormat>(
  FORMATS.flatMap((format) => [format.id, ...format.aliases].map((id) => [id, format] as const)),
);

/** Every identifier, aliases included (for configuration schemas and request checks). */
export const FORMAT_IDS: readonly CredentialFormatId[] = [...BY_ID.keys()] as CredentialFormatId[];

/** The format an identifier (or alias) names; undefined for one we do not know. */
export function formatOf(id: string): CredentialFormat | undefined {
  return BY_ID.get(id);
}

/** The format of an identifier we know (a validated configuration's); throws for another. */
export function requireFormat(id: string): CredentialFormat {
  const format = BY_ID.get(id);
  if (!format) throw new Error(`unknown credential format ${id}`);
  return format;
}

/** The data model of a W3C configuration's credentials (its `dataModel`, else its format's default). */
export function w3cDataModel(c: FormatConfigurationFields): W3cDataModel {
  return dataModelOf(c, requireFormat(c.format));
}

/** Whether two identifiers name the same format (`vc+sd-jwt` and `dc+sd-jwt` do). */
export function sameFormat(a: string, b: string): boolean {
  const format = BY_ID.get(a);
  return format !== undefined && format === BY_ID.get(b);
}

/** Whether the identifier is the format's other name rather than its own (e.g. `vc+sd-jwt`). */
export function isAlias(id: string): boolean {
  const format = BY_ID.get(id);
  return format !== undefined && format.id !== id;
}

/**
 * The format of a credential as it arrives (a Credential Response entry, a file, a QR payload): a
 * JSON object with a `proof`, `<jwt>~…`, a three-part JWS, or a single base64url string.
 */
export function formatByShape(credential: unknown): CredentialFormat | undefined {
  return FORMATS.find((format) => format.detect(credential));
}

export type { CredentialFormatId } from './ids.js';
export { JWT_VC_JSON } from './jwt-vc-json/id.js';
export { LDP_VC } from './ldp-vc/id.js';
export { MSO_MDOC } from './mso-mdoc/id.js';
export { MDL_DOCTYPE } from './mso-mdoc/mdl.js';
export { SD_JWT_VC, SD_JWT_VC_LEGACY } from './sd-jwt-vc/id.js';
export * from './types.js';
export { VC_JWT } from './vc-jwt/id.js';
export { jwtVcJson, ldpVc, msoMdoc, sdJwtVc, vcJwt };
