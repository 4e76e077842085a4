import { CredentialVerificationError } from '../../errors.js';
import type { TokenStatusReference } from '../../status/reference.js';

/** The MSO `status` member as CBOR carries it: `{status_list: {idx, uri}}`, maps all the way down. */
export type MsoStatus = Map<string, Map<string, unknown>>;

/**
 * The IETF Token Status List reference in the MSO (draft-ietf-oauth-status-list §6.3, as ISO/IEC
 * 18013-5 2nd edition adopts it): `status: {status_list: {idx, uri}}`.
 */
export function msoStatus(reference: Pick<TokenStatusReference, 'idx' | 'uri'>): MsoStatus {
  return new Map([
    [
      'status_list',
      new Map<string, unknown>([
        ['idx', reference.idx],
        ['uri', reference.uri],
      ]),
    ],
  ]);
}

/** CBOR maps decode as Map: the MSO `status` member as a plain object, checked for shape. */
export function readMsoStatus(value: unknown): { status_list: { idx: number; uri: string } } | undefined {
  if (!(value instanceof Map)) return undefined;
  const list = value.get('status_list');
  if (!(list instanceof Map)) return undefined;
  const idx = list.get('idx');
  const uri = list.get('uri');
  if (typeof idx !== 'number' || typeof uri !== 'string')
    throw new CredentialVerificationError('mdoc: status malformed');
  return { status_list: { idx, uri } };
}
