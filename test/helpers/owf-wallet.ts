import { createHash, randomBytes } from 'node:crypto';
import type {
  CallbackContext,
  ClientAuthenticationCallback,
  JwtHeader,
  JwtSigner,
  JwtSignerJwk,
} from '@openid4vc/oauth2';
import { type IssuerMetadataResult, Openid4vciClient } from '@openid4vc/openid4vci';
import { type CryptoKey, SignJWT } from 'jose';
import { AMARA, Browser } from '../authz/helpers.js';

export interface OwfWalletOptions {
  clientAuthentication: ClientAuthenticationCallback;
  /** The private key of the jwk the library asks to sign with (the header tells a DPoP proof apart); undefined refuses. */
  keyFor(signer: JwtSignerJwk, header: JwtHeader): CryptoKey | undefined;
  /** The library's HTTP calls (default: the global fetch). */
  fetch?: CallbackContext['fetch'];
}

/**
 * The OWF wallet library (@openid4vc/openid4vci) as the wallet of an interop test: hashes and random
 * bytes from node:crypto, and JWTs signed with jose on the wallet side — never with our key
 * interface, so the two ends of the test do not share code. It signs with keys given as a jwk only.
 */
export function owfWallet({ clientAuthentication, keyFor, fetch }: OwfWalletOptions): Openid4vciClient {
  return new Openid4vciClient({
    callbacks: {
      hash: (data, alg) => createHash(alg.replace('-', '').toLowerCase()).update(data).digest(),
      generateRandom: (length) => randomBytes(length),
      clientAuthentication,
      ...(fetch ? { fetch } : {}),
      signJwt: async (signer: JwtSigner, { header, payload }) => {
        if (signer.method !== 'jwk') throw new Error('this wallet signs with its jwk only');
        const key = keyFor(signer, header);
        if (!key) throw new Error('unknown key');
        const jwt = await new SignJWT(payload).setProtectedHeader({ ...header, alg: signer.alg }).sign(key);
        return { jwt, signerJwk: signer.publicJwk };
      },
    },
  });
}

/**
 * The person's part of the authorization code flow, which is not the wallet library's job: a browser
 * opens the authorization request at authz (`origin`), signs in as Amara and is sent to the redirect
 * URI, where the library parses and checks the authorization response. Returns the code and the two
 * pages the browser ended on, for the test to assert.
 */
export async function signInForCode(
  wallet: Openid4vciClient,
  issuerMetadata: IssuerMetadataResult,
  authorizationRequestUrl: string,
  origin: string,
  browser = new Browser(),
): Promise<{ code: string; interaction: URL; callback: URL }> {
  const start = await browser.follow(authorizationRequestUrl, origin);
  const done = await browser.submit(new URL(`${start.url.pathname}/login`, origin), origin, AMARA);
  const response = wallet.parseAndVerifyAuthorizationResponseRedirectUrl({
    url: done.url.href,
    authorizationServerMetadata: issuerMetadata.authorizationServers[0] as never,
  });
  if (!('code' in response) || !response.code) throw new Error(`no code: ${done.url.href}`);
  return { code: response.code, interaction: start.url, callback: done.url };
}
