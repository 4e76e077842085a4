import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { DisclosureFrame } from '@sd-jwt/types';
import type { JWK } from 'jose';
import type { SigningKey } from '../../../platform/keys/index.js';
import { assertPublicJwk } from '../../did/index.js';
import { RESERVED_CLAIMS } from './claims.js';
import { saltGenerator, sdHash } from './hash.js';
import { SD_JWT_VC, type SD_JWT_VC_LEGACY } from './id.js';

export interface IssueSdJwtVcOptions {
  issuerKey: SigningKey;
  /** The `iss` claim: the credential issuer identifier, resolvable to its keys via /.well-known/jwt-vc-issuer. */
  issuer: string;
  vct: string;
  /** Credential claims (JSON values). */
  claims: Record<string, unknown>;
  /** Claim paths made selectively disclosable (see `DisclosablePath`). */
  disclosable: DisclosablePath[];
  /** Decoy digests per `_sd` array (RFC 9901 §4.2.5); default none. */
  decoys?: number;
  /** `vct#integrity` (SD-JWT VC §3.2.2.2 / §6.5): SRI digest of the Type Metadata document. */
  vctIntegrity?: string;
  /** Header `typ`: `dc+sd-jwt`, or `vc+sd-jwt` for wallets that predate SD-JWT VC draft 06. */
  typ?: typeof SD_JWT_VC | typeof SD_JWT_VC_LEGACY;
  /** The holder's public key, bound in `cnf.jwk` (RFC 7800). */
  holderJwk: JWK;
  /** Seconds since the epoch. */
  iat: number;
  exp?: number;
  /** A status reference (e.g. `{status_list: {idx, uri}}`), left in the clear. */
  status?: Record<string, unknown>;
  /**
   * The issuer key's CA-issued certificate chain (DER, leaf first, without the trust anchor), sent
   * as the `x5c` header (RFC 7515 §4.1.6; SD-JWT VC "X.509 Certificates", HAIP): the leaf names the
   * issuer in its subjectAltName.
   */
  x5c?: Uint8Array[];
}

/** One configured library instance per key: signing goes through the key interface, never a key export. */
const instances = new WeakMap<SigningKey, SDJwtVcInstance>();

function instanceFor(key: SigningKey): SDJwtVcInstance {
  let instance = instances.get(key);
  if (!instance) {
    const encoder = new TextEncoder();
    instance = new SDJwtVcInstance({
      signer: async (data: string) => Buffer.from(await key.sign(encoder.encode(data))).toString('base64url'),
      signAlg: key.alg,
      hasher: sdHash,
      hashAlg: 'sha-256',
      saltGenerator,
    });
    instances.set(key, instance);
  }
  return instance;
}

/**
 * A claim path (OpenID4VCI 1.0 Appendix B): names for object members, an index for one array
 * element, `null` for every element. A dotted string is shorthand for names only.
 */
export type DisclosablePath = string | (string | number | null)[];

type Frame = { _sd?: (string | number)[]; _sd_decoy?: number; [member: string]: unknown };

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Adds one path to the frame; segments that do not exist in the claims are skipped (not issued). */
function addPath(frame: Frame, value: unknown, segments: (string | number | null)[]): void {
  const [segment, ...rest] = segments;
  if (segment === undefined) return;
  let keys: (string | number)[];
  if (Array.isArray(value)) {
    if (segment === null) keys = value.map((_, i) => i);
    else if (typeof segment === 'number' && segment >= 0 && segment < value.length) keys = [segment];
    else return;
  } else if (isObject(value) && typeof segment === 'string' && Object.hasOwn(value, segment)) {
    keys = [segment];
  } else {
    return;
  }
  for (const key of keys) {
    if (rest.length === 0) {
      if (!frame._sd?.includes(key)) frame._sd = [...(frame._sd ?? []), key];
    } else {
      frame[key] ??= {};
      addPath(frame[key] as Frame, (value as Record<string | number, unknown>)[key], rest);
    }
  }
}

/** Decoy digests (RFC 9901 §4.2.5) in every `_sd` array the frame creates, and at the top level. */
function addDecoys(frame: Frame, count: number, top = true): void {
  if (top || frame._sd) frame._sd_decoy = count;
  for (const [key, child] of Object.entries(frame)) {
    if (key !== '_sd' && key !== '_sd_decoy' && isObject(child)) addDecoys(child as Frame, count, false);
  }
}

/**
 * The @sd-jwt disclosure frame for the given paths: a member or element path makes that member or
 * element disclosable; listing a parent too makes it disclosable as a whole (recursive disclosure,
 * RFC 9901 §4.2.6), so a verifier learns `address` exists only if the holder reveals it.
 */
export function disclosureFrame(
  paths: DisclosablePath[],
  claims: Record<string, unknown>,
  decoys = 0,
): DisclosureFrame<Record<string, unknown>> {
  const frame: Frame = {};
  for (const path of paths) addPath(frame, claims, typeof path === 'string' ? path.split('.') : path);
  if (decoys > 0) addDecoys(frame, decoys);
  return frame as DisclosureFrame<Record<string, unknown>>;
}

/** Issues an SD-JWT VC (`typ: dc+sd-jwt`), key-bound to the holder, with the given claims disclosable. */
export async function issueSdJwtVc(options: IssueSdJwtVcOptions): Promise<string> {
  for (const name of Object.keys(options.claims)) {
    if (RESERVED_CLAIMS.has(name)) throw new Error(`issueSdJwtVc: claim name ${name} is reserved`);
  }
  const holder = assertPublicJwk(options.holderJwk);
  const cnfJwk: JWK = { kty: holder.kty, crv: holder.crv, x: holder.x, ...(holder.y ? { y: holder.y } : {}) };
  const payload = {
    iss: options.issuer,
    iat: options.iat,
    ...(options.exp !== undefined ? { exp: options.exp } : {}),
    vct: options.vct,
    ...(options.vctIntegrity ? { 'vct#integrity': options.vctIntegrity } : {}),
    cnf: { jwk: cnfJwk },
    ...(options.status ? { status: options.status } : {}),
    ...options.claims,
  };
  return instanceFor(options.issuerKey).issue(
    payload as Parameters<SDJwtVcInstance['issue']>[0],
    disclosureFrame(options.disclosable, options.claims, options.decoys),
    {
      header: {
        typ: options.typ ?? SD_JWT_VC,
        kid: options.issuerKey.kid,
        ...(options.x5c?.length
          ? { x5c: options.x5c.map((der) => Buffer.from(der).toString('base64')) }
          : {}),
      },
    },
  );
}
