import { verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';

/**
 * A downloaded dc+sd-jwt checked as a verifier would: with the keys the issuer publishes in its
 * JWT VC issuer metadata (SD-JWT VC §5, /.well-known/jwt-vc-issuer), `iss` the issuer's URL.
 */
export async function verifyWithPublishedKeys(credential: string, issuerUrl: string) {
  const { jwks } = (await (await fetch(`${issuerUrl}/.well-known/jwt-vc-issuer`)).json()) as {
    jwks: { keys: [] };
  };
  return verifySdJwtVc(credential, { issuerJwks: jwks, expectedIssuer: issuerUrl });
}
