import { createHash } from 'node:crypto';
import {
  calculateJwkThumbprint,
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import type { Kysely } from 'kysely';
import { type Commit, transactionPerUnit } from '../../platform/db/index.js';
import { ProtocolError } from '../../platform/errors.js';
import type { ProtocolTables } from '../protocol-database.js';
import { DPOP_ALGS } from '../vocabulary.js';

/** How old a proof's `iat` may be, and how far in the future (clock skew), seconds. */
const MAX_AGE = 300;
const FUTURE_SKEW = 30;

const CURVE_OF: Record<string, string> = { ES256: 'P-256', EdDSA: 'Ed25519' };

/** RFC 9449 §7.1: a failed DPoP check at a resource is a DPoP challenge with `invalid_dpop_proof`. */
export function invalidDpopProof(description: string, algs: readonly string[] = DPOP_ALGS): ProtocolError {
  return new ProtocolError(401, 'invalid_dpop_proof', description, {
    'www-authenticate': `DPoP error="invalid_dpop_proof", error_description="${description}", algs="${algs.join(' ')}"`,
  });
}

export interface DpopCheck {
  /** The DPoP header value (one proof). */
  proof: string;
  method: string;
  /** The target URI without query and fragment (RFC 9449 §4.3 check 9). */
  url: string;
  /** The access token, for `ath` (resource requests only). */
  accessToken?: string;
  /** `cnf.jkt` of the access token, when it is bound. */
  expectedJkt?: string;
}

/**
 * DPoP proof verification (RFC 9449 §4.3): typ, alg, public jwk, signature, htm, htu, iat, jti
 * (one use, kept in the database for as long as the proof could be accepted), ath and the key
 * thumbprint the token is bound to. Returns the proof key's thumbprint.
 */
export class DpopVerifier {
  constructor(
    db: Kysely<ProtocolTables>,
    private readonly now: () => number = Date.now,
    /** Accepted proof algorithms: DPOP_ALGS, or ES256 alone in HAIP mode. */
    readonly algs: readonly string[] = DPOP_ALGS,
    /**
     * How the remembered jti becomes durable: the database's group commit in a service, so a
     * DPoP request does not pay a commit (an fsync on SQLite) of its own.
     */
    private readonly commit: Commit = transactionPerUnit(db as Kysely<unknown>),
  ) {}

  async verify(check: DpopCheck): Promise<string> {
    let header: ProtectedHeaderParameters;
    try {
      header = decodeProtectedHeader(check.proof);
    } catch {
      throw invalidDpopProof('DPoP proof is not a JWS', this.algs);
    }
    if (header.typ !== 'dpop+jwt') throw invalidDpopProof('DPoP proof typ must be dpop+jwt', this.algs);
    const alg = header.alg ?? '';
    if (!this.algs.includes(alg)) throw invalidDpopProof('DPoP proof alg not supported', this.algs);
    const jwk = header.jwk as JWK | undefined;
    if (!jwk || typeof jwk !== 'object') throw invalidDpopProof('DPoP proof has no jwk', this.algs);
    if ('d' in jwk || 'p' in jwk || 'k' in jwk)
      throw invalidDpopProof('DPoP proof jwk contains a private key', this.algs);
    if (jwk.crv !== CURVE_OF[alg]) throw invalidDpopProof('DPoP proof key does not match its alg', this.algs);
    const publicJwk: JWK = { kty: jwk.kty, crv: jwk.crv, x: jwk.x, ...(jwk.y ? { y: jwk.y } : {}) };

    const nowSeconds = Math.floor(this.now() / 1000);
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(check.proof, await importJWK(publicJwk, alg), {
        algorithms: [alg],
        typ: 'dpop+jwt',
        requiredClaims: ['iat', 'jti', 'htm', 'htu'],
        currentDate: new Date(nowSeconds * 1000),
      }));
    } catch {
      throw invalidDpopProof('DPoP proof signature or claims are invalid', this.algs);
    }
    if (payload.htm !== check.method) throw invalidDpopProof('DPoP proof htm does not match', this.algs);
    if (typeof payload.htu !== 'string' || normalise(payload.htu) !== normalise(check.url))
      throw invalidDpopProof('DPoP proof htu does not match', this.algs);
    const iat = payload.iat as number;
    if (iat > nowSeconds + FUTURE_SKEW || nowSeconds - iat > MAX_AGE)
      throw invalidDpopProof('DPoP proof iat is out of range', this.algs);
    if (typeof payload.jti !== 'string' || payload.jti.length === 0 || payload.jti.length > 200)
      throw invalidDpopProof('DPoP proof jti is invalid', this.algs);

    if (check.accessToken !== undefined) {
      const ath = createHash('sha256').update(check.accessToken).digest('base64url');
      if (payload.ath !== ath)
        throw invalidDpopProof('DPoP proof ath does not match the access token', this.algs);
    }
    const jkt = await calculateJwkThumbprint(publicJwk, 'sha256');
    if (check.expectedJkt !== undefined && jkt !== check.expectedJkt)
      throw invalidDpopProof('DPoP proof key is not the key the access token is bound to', this.algs);

    // §11.1 replay: the jti is remembered until the proof could no longer be accepted anyway.
    const id = createHash('sha256').update(`${jkt}:${payload.jti}`).digest('base64url');
    const now = this.now();
    const expiresAt = now + (MAX_AGE + FUTURE_SKEW) * 1000;
    // The primary key decides: of two requests with one jti (at one instance or two), one inserts.
    const inserted = await this.commit<bigint, ProtocolTables>(async (trx) => {
      const result = await trx
        .insertInto('issuer_dpop_jtis')
        .values({ id, expires_at: expiresAt })
        .onConflict((conflict) => conflict.column('id').doNothing())
        .executeTakeFirst();
      return result.numInsertedOrUpdatedRows ?? 0n;
    });
    if (inserted !== 1n) throw invalidDpopProof('DPoP proof jti was already used', this.algs);
    if (Math.random() < 0.01)
      await this.commit<unknown, ProtocolTables>((trx) =>
        trx.deleteFrom('issuer_dpop_jtis').where('expires_at', '<=', now).execute(),
      );
    return jkt;
  }
}

/** htu is compared without query and fragment; scheme and host are case-insensitive (RFC 3986 §6.2.2). */
function normalise(uri: string): string {
  try {
    const url = new URL(uri);
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    return '';
  }
}
