import { CredentialValidityError, CredentialVerificationError, type FailedCheck } from '../errors.js';
import { VC_V1_CONTEXT, VC_V2_CONTEXT } from '../jsonld/contexts.js';
import type { DataModel } from './credential.js';

/** Clock skew tolerated on validity times, seconds. */
const SKEW = 30;

function fail(reason: string, check?: FailedCheck): never {
  throw new CredentialVerificationError(reason, check);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** RFC 3339 / XML Schema dateTime with a time zone (VCDM 2.0 §4.9 `dateTimeStamp`). */
function parseDate(value: unknown, member: string): number {
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  ) {
    fail(`${member} is not a date-time`);
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) fail(`${member} is not a date-time`);
  return time;
}

export interface DataModelCheck {
  dataModel: DataModel;
  issuer: string;
  validFrom?: Date;
  validUntil?: Date;
}

/**
 * The data-model rules a signature check does not cover: base context first (VCDM 2.0 §4.3, 1.1
 * §4.1), `VerifiableCredential` among the types, an issuer id, one or more subject objects, validity
 * times well-formed and current (2.0: `validFrom`/`validUntil`; 1.1: `issuanceDate` required,
 * `expirationDate`). Returns what a caller needs; throws CredentialVerificationError otherwise.
 */
export function checkW3cDataModel(
  credential: unknown,
  options: { now?: Date; expectedIssuer?: string } = {},
): DataModelCheck {
  if (!isObject(credential)) fail('credential is not an object');
  const contexts = credential['@context'];
  if (!Array.isArray(contexts) || contexts.length === 0) fail('@context missing');
  const dataModel: DataModel | undefined =
    contexts[0] === VC_V2_CONTEXT ? '2.0' : contexts[0] === VC_V1_CONTEXT ? '1.1' : undefined;
  if (!dataModel) fail('first @context is not a VC base context');
  const types = credential.type;
  if (!Array.isArray(types) || !types.includes('VerifiableCredential'))
    fail('type lacks VerifiableCredential');
  const issuerValue = credential.issuer;
  const issuer =
    typeof issuerValue === 'string' ? issuerValue : isObject(issuerValue) ? issuerValue.id : undefined;
  if (typeof issuer !== 'string' || !/^[a-z][a-z0-9+.-]*:/i.test(issuer)) fail('issuer is not a URL');
  if (options.expectedIssuer !== undefined && issuer !== options.expectedIssuer)
    fail('unexpected issuer', 'issuer');
  const subjects = Array.isArray(credential.credentialSubject)
    ? credential.credentialSubject
    : [credential.credentialSubject];
  if (subjects.length === 0 || !subjects.every(isObject)) fail('credentialSubject is not an object');

  const now = (options.now ?? new Date()).getTime();
  const fromMember = dataModel === '2.0' ? 'validFrom' : 'issuanceDate';
  const untilMember = dataModel === '2.0' ? 'validUntil' : 'expirationDate';
  if (dataModel === '1.1' && credential.issuanceDate === undefined) fail('issuanceDate missing');
  const from =
    credential[fromMember] === undefined ? undefined : parseDate(credential[fromMember], fromMember);
  const until =
    credential[untilMember] === undefined ? undefined : parseDate(credential[untilMember], untilMember);
  const validFrom = from !== undefined ? new Date(from) : undefined;
  if (from !== undefined && from > now + SKEW * 1000)
    throw new CredentialValidityError('not yet valid', validFrom);
  if (until !== undefined && until <= now - SKEW * 1000)
    throw new CredentialValidityError('expired', validFrom);
  return {
    dataModel,
    issuer,
    ...(from !== undefined ? { validFrom: new Date(from) } : {}),
    ...(until !== undefined ? { validUntil: new Date(until) } : {}),
  };
}
