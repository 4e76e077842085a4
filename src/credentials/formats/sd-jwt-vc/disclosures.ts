import { CredentialVerificationError } from '../../errors.js';
import { disclosureDigest } from './hash.js';

export interface DisclosedClaim {
  /** The claim name; absent for an array element disclosure. */
  name?: string;
  value: unknown;
}

interface Parsed {
  name?: string;
  value: unknown;
  used: boolean;
  /** The value with its own nested disclosures applied, once processed. */
  processed?: unknown;
}

function fail(reason: string): never {
  throw new CredentialVerificationError(reason);
}

function parseDisclosure(encoded: string): Omit<Parsed, 'used'> {
  if (!/^[A-Za-z0-9_-]+$/.test(encoded)) fail('disclosure is not base64url');
  let array: unknown;
  try {
    array = JSON.parse(Buffer.from(encoded, 'base64url').toString('utf8'));
  } catch {
    fail('disclosure is not JSON');
  }
  if (!Array.isArray(array) || typeof array[0] !== 'string') fail('disclosure is malformed');
  if (array.length === 3) {
    const name: unknown = array[1];
    // RFC 9901 §7.1 step 3.2.2.2: these names cannot be disclosed.
    if (typeof name !== 'string' || name === '_sd' || name === '...' || name === '_sd_alg') {
      fail('disclosure has an invalid claim name');
    }
    return { name, value: array[2] };
  }
  if (array.length === 2) return { value: array[1] };
  return fail('disclosure is malformed');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Applies the disclosures to the signed payload per RFC 9901 §7.1: every disclosure must be
 * referenced exactly once, by the right kind of digest, without overwriting a claim; digests with
 * no disclosure are decoys (or undisclosed) and are dropped.
 */
export function applyDisclosures(
  payload: Record<string, unknown>,
  encodedDisclosures: string[],
  sdAlg: string,
): { claims: Record<string, unknown>; disclosures: DisclosedClaim[] } {
  const byDigest = new Map<string, Parsed>();
  const order: string[] = [];
  for (const encoded of encodedDisclosures) {
    const digest = disclosureDigest(encoded, sdAlg);
    if (byDigest.has(digest)) fail('disclosure repeated');
    byDigest.set(digest, { ...parseDisclosure(encoded), used: false });
    order.push(digest);
  }

  const take = (digest: unknown, kind: 'property' | 'element'): Parsed | undefined => {
    if (typeof digest !== 'string') fail('digest is not a string');
    const found = byDigest.get(digest);
    if (!found) return undefined;
    if (found.used) fail('digest referenced more than once');
    if ((kind === 'property') !== (found.name !== undefined)) fail('disclosure of the wrong kind');
    found.used = true;
    found.processed = walk(found.value);
    return found;
  };

  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) {
      const out: unknown[] = [];
      for (const item of node) {
        if (isObject(item) && '...' in item) {
          if (Object.keys(item).length !== 1) fail('array digest object has extra members');
          const found = take(item['...'], 'element');
          if (found) out.push(found.processed);
        } else {
          out.push(walk(item));
        }
      }
      return out;
    }
    if (!isObject(node)) return node;
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(node)) {
      if (key !== '_sd') out[key] = walk(value);
    }
    if ('_sd' in node) {
      if (!Array.isArray(node._sd)) fail('_sd is not an array');
      for (const digest of node._sd) {
        const found = take(digest, 'property');
        if (!found || found.name === undefined) continue;
        if (Object.hasOwn(out, found.name)) fail('disclosure overwrites a claim');
        out[found.name] = found.processed;
      }
    }
    return out;
  };

  const { _sd_alg: _ignored, ...rest } = payload;
  const claims = walk(rest) as Record<string, unknown>;
  const disclosures: DisclosedClaim[] = [];
  for (const digest of order) {
    const parsed = byDigest.get(digest) as Parsed;
    if (!parsed.used) fail('disclosure not referenced by the credential');
    disclosures.push(
      parsed.name === undefined
        ? { value: parsed.processed }
        : { name: parsed.name, value: parsed.processed },
    );
  }
  return { claims, disclosures };
}
