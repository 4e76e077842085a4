import { hash } from 'node:crypto';
import type { JWK } from 'jose';
import { type SigningKey, signCompactJws } from '../../../platform/keys/index.js';
import { pooledRandomBytes } from '../../../platform/random.js';
import { assertPublicJwk } from '../../did/index.js';
import { RESERVED_CLAIMS } from './claims.js';
import { saltGenerator } from './hash.js';
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

/**
 * A claim path (OpenID4VCI 1.0 Appendix B): names for object members, an index for one array
 * element, `null` for every element. A dotted string is shorthand for names only.
 */
export type DisclosablePath = string | (string | number | null)[];

/**
 * Which members or elements of a claim value are disclosable: `_sd` lists them (names of an object,
 * indices of an array), `_sd_decoy` the decoy digests to add there, other members the frames of
 * nested values. The shape @sd-jwt's `DisclosureFrame` has, so the library can issue from it too.
 */
export type DisclosureFrame = { _sd?: (string | number)[]; _sd_decoy?: number; [member: string]: unknown };
type Frame = DisclosureFrame;

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
 * The disclosure frame for the given paths: a member or element path makes that member or
 * element disclosable; listing a parent too makes it disclosable as a whole (recursive disclosure,
 * RFC 9901 §4.2.6), so a verifier learns `address` exists only if the holder reveals it.
 */
export function disclosureFrame(
  paths: DisclosablePath[],
  claims: Record<string, unknown>,
  decoys = 0,
): DisclosureFrame {
  const frame: Frame = {};
  for (const path of paths) addPath(frame, claims, typeof path === 'string' ? path.split('.') : path);
  if (decoys > 0) addDecoys(frame, decoys);
  return frame;
}

/** The `_sd_alg` of every credential we issue (RFC 9901 §4.1.1; SHA-256 is the default and required). */
const SD_ALG = 'sha-256';

/** One-shot `crypto.hash`: no Hash object per digest (13 digests per national_id credential). */
const sha256 = (data: string | Uint8Array) => hash('sha256', data, 'base64url');

/**
 * One disclosure (RFC 9901 §4.2.1, §4.2.2): base64url of the UTF-8 JSON array `[salt, name, value]`
 * or `[salt, value]`, appended to `out`; returns its digest (§4.2.3) as `_sd` / `...` carry it.
 */
function disclose(data: unknown[], out: string[]): string {
  const encoded = Buffer.from(JSON.stringify(data), 'utf8').toString('base64url');
  out.push(encoded);
  return sha256(encoded);
}

/** A decoy digest (RFC 9901 §4.2.5): the hash of 128 fresh random bits, as the RFC recommends. */
const decoy = () => sha256(pooledRandomBytes(16));

/**
 * The value with its frame applied (RFC 9901 §4.2.4): disclosable members become digests in a
 * sorted `_sd`, disclosable elements `{"...": digest}`, nested frames applied first so a disclosed
 * value carries its own digests (recursive disclosure, §4.2.6). Disclosures go to `out` in the
 * order @sd-jwt 0.19 emitted them: nested values' before their parent's, members in claim order.
 * A frame on a value that is neither object nor array (a path through a scalar) changes nothing.
 */
function pack(value: unknown, frame: Frame | undefined, out: string[]): unknown {
  if (frame === undefined) return value;
  const sd = frame._sd ?? [];
  const decoys = frame._sd_decoy ?? 0;
  if (Array.isArray(value)) {
    const nested = new Map<number, unknown>();
    for (const key of Object.keys(frame)) {
      if (key === '_sd' || key === '_sd_decoy') continue;
      const index = Number(key);
      if (Number.isInteger(index) && index >= 0 && index < value.length)
        nested.set(index, pack(value[index], frame[key] as Frame, out));
    }
    const packed: unknown[] = [];
    for (let i = 0; i < value.length; i++) {
      const element = nested.has(i) ? nested.get(i) : value[i];
      packed.push(sd.includes(i) ? { '...': disclose([saltGenerator(), element], out) } : element);
    }
    for (let j = 0; j < decoys; j++) packed.push({ '...': decoy() });
    return packed;
  }
  if (!isObject(value)) return value;
  const nested = new Map<string, unknown>();
  for (const key of Object.keys(frame)) {
    if (key !== '_sd' && key !== '_sd_decoy' && Object.hasOwn(value, key))
      nested.set(key, pack(value[key], frame[key] as Frame, out));
  }
  const packed: Record<string, unknown> = {};
  const digests: string[] = [];
  for (const key of Object.keys(value)) {
    const member = nested.has(key) ? nested.get(key) : value[key];
    if (sd.includes(key)) digests.push(disclose([saltGenerator(), key, member], out));
    else packed[key] = member;
  }
  for (let j = 0; j < decoys; j++) digests.push(decoy());
  // Sorted, so the order of the digests reveals nothing of the order of the claims (§4.2.4.1).
  if (digests.length > 0) packed._sd = digests.sort();
  return packed;
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
  const disclosures: string[] = [];
  const packed = pack(
    payload,
    disclosureFrame(options.disclosable, options.claims, options.decoys),
    disclosures,
  ) as Record<string, unknown>;
  const jwt = await signCompactJws(
    options.issuerKey,
    {
      typ: options.typ ?? SD_JWT_VC,
      kid: options.issuerKey.kid,
      ...(options.x5c?.length ? { x5c: options.x5c.map((der) => Buffer.from(der).toString('base64')) } : {}),
    },
    { ...packed, _sd_alg: SD_ALG },
  );
  // RFC 9901 §4: `<issuer-signed JWT>~<disclosure>~…~`, no key binding JWT at issuance.
  return `${jwt}~${disclosures.map((d) => `${d}~`).join('')}`;
}
