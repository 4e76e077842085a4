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
import {
  type Commit,
  deleteExpiredInBatches,
  prepareStatement,
  type SweepLimits,
  SweepSchedule,
  transactionPerUnit,
} from '../../platform/db/index.js';
import { ProtocolError } from '../../platform/errors.js';
import { type ParsedJwt, parseCompactJwt } from '../compact-jwt.js';
import { verifyJwsSignature } from '../proofs/signature.js';
import type { ProtocolTables } from '../protocol-database.js';
import { DPOP_ALGS } from '../vocabulary.js';

/** How old a proof's `iat` may be, and how far in the future (clock skew), seconds. */
const MAX_AGE = 300;
const FUTURE_SKEW = 30;

const CURVE_OF: Record<string, string> = { ES256: 'P-256', EdDSA: 'Ed25519' };

/**
 * Large batches: the ids are hashes, so a jti's row sits at a random place of the key index and a batch of
 * any size rewrites most of the index's pages. Deleting 45,000 rows on SQLite: one statement 72–80 ms, batches
 * of 1,000 at most 25 ms each but 610 ms in all, of 250 still 15–22 ms each (docs/benchmarks.md, session 26).
 */
const JTI_SWEEP_LIMITS: SweepLimits = { batch: 50_000, batches: 4 };

/** One use of a proof (§11.1), in every DPoP-bound request: prepared once (src/platform/db/prepared.ts). */
const REMEMBER_JTI = prepareStatement(
  'insert into "issuer_dpop_jtis" ("id", "expires_at") values ($1, $2) on conflict ("id") do nothing',
);

/** The claims §4.2 requires of every proof; `ath` is checked apart, where there is a token. */
const REQUIRED_CLAIMS = ['iat', 'jti', 'htm', 'htu'] as const;

export interface DpopVerifierOptions {
  /**
   * Verify ES256 and EdDSA proofs with node:crypto (the default): a KeyObject made from the proof's
   * JWK and jose's claim rules restated (`claimsValid`); false takes jose's `importJWK` + `jwtVerify`,
   * which test/issuer/dpop-verify.test.ts compares it with.
   */
  nodeCrypto?: boolean;
}

/**
 * jose's `jwtVerify` claim rules for the options the jose path gives (requiredClaims, currentDate, no
 * clock tolerance): the required claims present; `iat`, `nbf`, `exp` numbers when present; `nbf` not
 * after now; `exp` after now. (jose's `typ` check is done before, on the header.)
 */
function claimsValid(payload: JWTPayload, nowSeconds: number): boolean {
  if (!REQUIRED_CLAIMS.every((claim) => Object.hasOwn(payload, claim))) return false;
  for (const claim of ['iat', 'nbf', 'exp'] as const)
    if (payload[claim] !== undefined && typeof payload[claim] !== 'number') return false;
  if (payload.nbf !== undefined && payload.nbf > nowSeconds) return false;
  if (payload.exp !== undefined && payload.exp <= nowSeconds) return false;
  return true;
}

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
    private readonly options: DpopVerifierOptions = {},
  ) {
    this.sweeps = new SweepSchedule(() => this.sweep(), now());
  }

  private readonly sweeps: SweepSchedule;

  /**
   * Deletes the remembered jtis whose proofs would be refused anyway (too old), in batches; returns
   * how many. Run at most once a minute, after the request that finds it due, never on its path.
   */
  sweep(limits: SweepLimits = JTI_SWEEP_LIMITS): Promise<number> {
    return deleteExpiredInBatches(
      this.commit,
      { table: 'issuer_dpop_jtis', key: 'id', expiry: 'expires_at' },
      this.now(),
      limits,
    );
  }

  /** The proof's payload when its signature and claims hold (RFC 9449 §4.3 checks 5–6), else undefined. */
  private async signedPayload(
    proof: string,
    jwt: ParsedJwt | undefined,
    publicJwk: JWK,
    alg: string,
    nowSeconds: number,
  ): Promise<JWTPayload | undefined> {
    // A `crit` header (or anything the parse refused) is judged by jose.
    if (jwt && jwt.header.crit === undefined) {
      const valid = (await verifyJwsSignature(proof, publicJwk, alg)) && claimsValid(jwt.payload, nowSeconds);
      return valid ? jwt.payload : undefined;
    }
    try {
      const { payload } = await jwtVerify(proof, await importJWK(publicJwk, alg), {
        algorithms: [alg],
        typ: 'dpop+jwt',
        requiredClaims: [...REQUIRED_CLAIMS],
        currentDate: new Date(nowSeconds * 1000),
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  async verify(check: DpopCheck): Promise<string> {
    // Decoded once: the header checks below and the node:crypto path share it.
    const jwt = this.options.nodeCrypto === false ? undefined : parseCompactJwt(check.proof);
    let header: ProtectedHeaderParameters;
    try {
      header = jwt?.header ?? decodeProtectedHeader(check.proof);
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
    const payload = await this.signedPayload(check.proof, jwt, publicJwk, alg, nowSeconds);
    if (!payload) throw invalidDpopProof('DPoP proof signature or claims are invalid', this.algs);
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
    const inserted = await this.commit(async (trx) => (await REMEMBER_JTI.run(trx, [id, expiresAt])).changes);
    if (inserted !== 1) throw invalidDpopProof('DPoP proof jti was already used', this.algs);
    this.sweeps.due(now);
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
