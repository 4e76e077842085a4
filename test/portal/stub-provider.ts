import {
  decodeProtectedHeader,
  importJWK,
  type JWK,
  type JWTPayload,
  type JWTVerifyOptions,
  jwtVerify,
  type ProtectedHeaderParameters,
} from 'jose';
import { issueSdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import { LocalSigningKey, signCompactJws } from '../../src/platform/keys/index.js';
import { asMetadata, issuerMetadata, Stub } from './stubs.js';

/** The stub's signing keys; read per request, so a test may replace one (a key rotation). */
export interface StubKeys {
  as: LocalSigningKey;
  issuer: LocalSigningKey;
}

/**
 * One stub that is both the authorization server and the credential issuer of a portal flow, serving
 * what the portal discovers before it: issuer metadata, AS metadata (with `asExtra`, e.g. PAR or DPoP
 * members), the AS JWKS, and the JWT VC issuer metadata that carries the issuer's key. The test adds
 * the endpoints it checks (token, nonce, credential).
 */
export async function startStubProvider(
  asExtra: (url: string) => Record<string, unknown> = () => ({}),
): Promise<{ stub: Stub; keys: StubKeys }> {
  const keys: StubKeys = {
    as: await LocalSigningKey.generate('ES256'),
    issuer: await LocalSigningKey.generate('ES256'),
  };
  const stub = await Stub.start();
  stub
    .on('GET /.well-known/openid-credential-issuer', () => ({ json: issuerMetadata(stub.url, stub.url) }))
    .on('GET /.well-known/openid-configuration', () => ({
      json: { ...asMetadata(stub.url), ...asExtra(stub.url) },
    }))
    .on('GET /jwks', () => ({ json: { keys: [keys.as.publicJwk] } }))
    .on('GET /.well-known/jwt-vc-issuer', () => ({
      json: { issuer: stub.url, jwks: { keys: [keys.issuer.publicJwk] } },
    }));
  return { stub, keys };
}

/** The stub AS's ID token (OIDC Core §2): for 5102030400, to the `portal` client, with the request's nonce. */
export function stubIdToken(stub: Stub, keys: StubKeys, nonce: string | null | undefined): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return signCompactJws(
    keys.as,
    { typ: 'JWT' },
    { iss: stub.url, sub: '5102030400', aud: 'portal', iat, exp: iat + 300, nonce },
  );
}

/** A dc+sd-jwt national ID of the stub issuer with one disclosable claim, given_name Amara, bound to `holderJwk`. */
export function givenNameCredential(stub: Stub, issuerKey: LocalSigningKey, holderJwk: JWK): Promise<string> {
  return issueSdJwtVc({
    issuerKey,
    issuer: stub.url,
    vct: `${stub.url}/national_id`,
    claims: { given_name: 'Amara' },
    disclosable: ['given_name'],
    holderJwk,
    iat: Math.floor(Date.now() / 1000),
  });
}

/**
 * A proof JWT verified with the public key in its own `jwk` header, as the stub's endpoints check a
 * key proof (OpenID4VCI 1.0 Appendix F.1) or a DPoP proof (RFC 9449 §4.3): `alg` is the algorithm the
 * key is imported for (the header's own when not given).
 */
export async function verifyWithHeaderJwk(
  jwt: string,
  options: JWTVerifyOptions & { alg?: string },
): Promise<{ header: ProtectedHeaderParameters; jwk: JWK; payload: JWTPayload }> {
  const { alg, ...verifyOptions } = options;
  const header = decodeProtectedHeader(jwt);
  const jwk = header.jwk as JWK;
  const { payload } = await jwtVerify(jwt, await importJWK(jwk, alg ?? header.alg), verifyOptions);
  return { header, jwk, payload };
}
