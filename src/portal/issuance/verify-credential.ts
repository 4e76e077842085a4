import { calculateJwkThumbprint, type JWK } from 'jose';
import { verifySdJwtVc } from '../../credentials/sd-jwt-vc/index.js';
import { UpstreamError } from '../errors.js';
import type { IssuerKeys } from './issuer-keys.js';

export type VerifiedCredential = Awaited<ReturnType<typeof verifySdJwtVc>>;

export interface Expectations {
  issuer: string;
  /** The `vct` the configuration announced, when it did. */
  vct: string | undefined;
  holderJwk: JWK;
}

/**
 * Checks what the issuer sent before showing it: signature by a key of the issuer's published
 * metadata, `iss`, the SD-JWT digests of every disclosure, the announced `vct`, and that it is bound
 * (`cnf.jwk`, RFC 7800) to the holder key this download proved possession of.
 */
export async function verifyObtainedCredential(
  keys: IssuerKeys,
  credential: string,
  expected: Expectations,
): Promise<VerifiedCredential> {
  let verified: VerifiedCredential;
  try {
    verified = await verifySdJwtVc(credential, {
      issuerJwks: await keys.jwks(expected.issuer),
      expectedIssuer: expected.issuer,
    });
  } catch (first) {
    if (first instanceof UpstreamError) throw first;
    // A key we have not seen may be a rotation: fetch the issuer's keys again, once.
    keys.invalidate(expected.issuer);
    try {
      verified = await verifySdJwtVc(credential, {
        issuerJwks: await keys.jwks(expected.issuer),
        expectedIssuer: expected.issuer,
      });
    } catch (error) {
      if (error instanceof UpstreamError) throw error;
      throw new UpstreamError('verification', 'invalid_credential', (error as Error).message);
    }
  }
  const payload = verified.payload as { vct?: unknown; cnf?: { jwk?: JWK } };
  if (expected.vct !== undefined && payload.vct !== expected.vct) {
    throw new UpstreamError('verification', 'unexpected_vct', 'vct differs from the configuration');
  }
  const bound = payload.cnf?.jwk;
  if (
    !bound ||
    (await calculateJwkThumbprint(bound).catch(() => '')) !==
      (await calculateJwkThumbprint(expected.holderJwk))
  ) {
    throw new UpstreamError('verification', 'holder_binding_mismatch', 'cnf.jwk is not the holder key');
  }
  return verified;
}
