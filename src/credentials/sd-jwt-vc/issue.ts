import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import type { DisclosureFrame } from '@sd-jwt/types';
import type { JWK } from 'jose';
import type { SigningKey } from '../../platform/keys/index.js';
import { assertPublicJwk } from '../did/index.js';
import { saltGenerator, sdHash } from './hash.js';

export const SD_JWT_VC_TYP = 'dc+sd-jwt';

/**
 * Registered claims that must stay in the clear (SD-JWT VC §3.2.2.2) or that we set ourselves; a
 * personal claim with one of these names would be ambiguous, so it is refused.
 */
const RESERVED = new Set([
  'iss',
  'nbf',
  'exp',
  'iat',
  'cnf',
  'vct',
  'vct#integrity',
  'status',
  '_sd',
  '_sd_alg',
  '...',
]);

export interface IssueSdJwtVcOptions {
  issuerKey: SigningKey;
  /** The `iss` claim: the credential issuer identifier, resolvable to its keys via /.well-known/jwt-vc-issuer. */
  issuer: string;
  vct: string;
  /** Credential claims (JSON values). */
  claims: Record<string, unknown>;
  /** Claim paths made selectively disclosable: `name`, or `parent.child` for a member of an object claim. */
  disclosable: string[];
  /** The holder's public key, bound in `cnf.jwk` (RFC 7800). */
  holderJwk: JWK;
  /** Seconds since the epoch. */
  iat: number;
  exp?: number;
  /** A status reference (e.g. `{status_list: {idx, uri}}`), left in the clear. */
  status?: Record<string, unknown>;
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

/** Builds the @sd-jwt disclosure frame from dotted claim paths. */
function disclosureFrame(
  paths: string[],
  claims: Record<string, unknown>,
): DisclosureFrame<Record<string, unknown>> {
  type Level = { _sd?: string[]; [member: string]: unknown };
  const frame: Level = {};
  for (const path of paths) {
    const segments = path.split('.');
    let level = frame;
    let value: unknown = claims;
    for (const [i, segment] of segments.entries()) {
      value =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[segment] : undefined;
      if (value === undefined) break; // absent claims are simply not issued
      if (i === segments.length - 1) {
        level._sd = [...(level._sd ?? []), segment];
      } else {
        level[segment] ??= {};
        level = level[segment] as Level;
      }
    }
  }
  return frame as DisclosureFrame<Record<string, unknown>>;
}

/** Issues an SD-JWT VC (`typ: dc+sd-jwt`), key-bound to the holder, with the given claims disclosable. */
export async function issueSdJwtVc(options: IssueSdJwtVcOptions): Promise<string> {
  for (const name of Object.keys(options.claims)) {
    if (RESERVED.has(name)) throw new Error(`issueSdJwtVc: claim name ${name} is reserved`);
  }
  const holder = assertPublicJwk(options.holderJwk);
  const cnfJwk: JWK = { kty: holder.kty, crv: holder.crv, x: holder.x, ...(holder.y ? { y: holder.y } : {}) };
  const payload = {
    iss: options.issuer,
    iat: options.iat,
    ...(options.exp !== undefined ? { exp: options.exp } : {}),
    vct: options.vct,
    cnf: { jwk: cnfJwk },
    ...(options.status ? { status: options.status } : {}),
    ...options.claims,
  };
  return instanceFor(options.issuerKey).issue(
    payload as Parameters<SDJwtVcInstance['issue']>[0],
    disclosureFrame(options.disclosable, options.claims),
    { header: { kid: options.issuerKey.kid } },
  );
}
