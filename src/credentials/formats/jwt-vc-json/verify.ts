import {
  compactVerify,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type ProtectedHeaderParameters,
} from 'jose';
import { type DidDocumentResolver, resolveVerificationMethodJwk } from '../../did/index.js';
import { CredentialValidityError, CredentialVerificationError } from '../../errors.js';
import { xsdDateTime } from '../../w3c/credential.js';
import { checkW3cDataModel, type DataModelCheck } from '../../w3c/data-model.js';
import { VC_JWT_TYP } from '../vc-jwt/id.js';

const ALGORITHMS = ['ES256', 'ES384', 'EdDSA', 'Ed25519'];

export interface VerifyJwtVcOptions {
  /** The data model the format allows (`jwt_vc_json`: 1.1, `vc+jwt`: 2.0); either when absent. */
  dataModel?: '1.1' | '2.0';
  /** Resolves the issuer's DID (did:web) to its document; did:key / did:jwk need none. */
  resolveDid?: DidDocumentResolver;
  expectedIssuer?: string;
  now?: Date;
}

export interface VerifiedJwtVc extends DataModelCheck {
  header: ProtectedHeaderParameters;
  /** The credential in data-model form (1.1: rebuilt from the registered claims and `vc`). */
  credential: Record<string, unknown>;
}

function fail(reason: string): never {
  throw new CredentialVerificationError(reason);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** VCDM 1.1 §6.3.1 decoding: the registered claims back into the credential. */
function fromV11(payload: Record<string, unknown>): Record<string, unknown> {
  if (!isObject(payload.vc)) fail('vc claim missing');
  const vc = payload.vc;
  if (vc.issuer !== undefined && vc.issuer !== payload.iss) fail('vc.issuer differs from iss');
  const subject = isObject(vc.credentialSubject) ? vc.credentialSubject : {};
  return {
    ...vc,
    ...(typeof payload.jti === 'string' ? { id: payload.jti } : {}),
    issuer: payload.iss,
    ...(typeof payload.nbf === 'number' ? { issuanceDate: xsdDateTime(new Date(payload.nbf * 1000)) } : {}),
    ...(typeof payload.exp === 'number' ? { expirationDate: xsdDateTime(new Date(payload.exp * 1000)) } : {}),
    credentialSubject: typeof payload.sub === 'string' ? { id: payload.sub, ...subject } : subject,
  };
}

/**
 * Verifies a `jwt_vc_json` or `vc+jwt`: the JWS with the key its `kid` names (a DID URL whose DID must be the
 * issuer), then the data model of the credential it carries, either encoding (1.1 `vc` claim, or
 * a 2.0 `vc+jwt`). Throws CredentialVerificationError with a short reason.
 */
export async function verifyJwtVc(jwt: string, options: VerifyJwtVcOptions = {}): Promise<VerifiedJwtVc> {
  if (typeof jwt !== 'string' || jwt.length > 256 * 1024) fail('not a JWT');
  let header: ProtectedHeaderParameters;
  try {
    header = decodeProtectedHeader(jwt);
  } catch {
    fail('malformed JWT');
  }
  if (typeof header.kid !== 'string' || !header.kid.startsWith('did:')) fail('kid is not a DID URL');
  let jwk: JWK;
  try {
    jwk = await resolveVerificationMethodJwk(header.kid, options.resolveDid);
  } catch {
    fail('issuer key not resolvable');
  }
  let payload: Record<string, unknown>;
  try {
    const key = await importJWK({ ...jwk, alg: header.alg }, header.alg);
    const { payload: bytes } = await compactVerify(jwt, key, { algorithms: ALGORITHMS });
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    fail('signature invalid');
  }
  if (!isObject(payload)) fail('payload is not an object');
  const v2 = header.typ === VC_JWT_TYP;
  const credential = v2 ? payload : fromV11(payload);
  if (v2) {
    const { iss, iat, exp, ...rest } = payload;
    if (iss !== undefined && iss !== (isObject(rest.issuer) ? rest.issuer.id : rest.issuer)) {
      fail('iss differs from issuer');
    }
    if (typeof exp === 'number' && exp * 1000 <= (options.now ?? new Date()).getTime() - 30_000)
      throw new CredentialValidityError(
        'expired',
        typeof iat === 'number' ? new Date(iat * 1000) : undefined,
      );
  }
  const model = checkW3cDataModel(credential, {
    ...(options.now ? { now: options.now } : {}),
    ...(options.expectedIssuer ? { expectedIssuer: options.expectedIssuer } : {}),
  });
  if (v2 !== (model.dataModel === '2.0')) fail('typ does not match the data model');
  if (options.dataModel && model.dataModel !== options.dataModel)
    fail(`not a VCDM ${options.dataModel} credential`);
  // The key must belong to the issuer: its DID is the issuer's id (did:key / did:jwk / did:web).
  if (header.kid.split('#')[0] !== model.issuer) fail('key does not belong to the issuer');
  return { ...model, header, credential };
}
