// Types of sign-in.js (plain JavaScript, run by plain node in the load client) for the TypeScript benches.
import type { Agent } from 'node:http';

export class SignInError extends Error {
  readonly step: string;
}

export interface ClientKey {
  privateJwk: Record<string, unknown>;
  publicJwk: { kty: string; crv: string; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' };
}

export interface ServerEndpoints {
  issuer: string;
  par: string;
  authorization: string;
  token: string;
}

export interface SignInClient {
  clientId: string;
  redirectUri: string;
  scope: string;
  /** RFC 8707 resource of the access token (Attesta: the credential issuer). */
  resource?: string;
  /** `consent` asks for the consent page even where a consent is remembered. */
  prompt?: string;
  key: ClientKey;
  /** Asks for an access token bound to this key (RFC 9449 DPoP proof at the token request). */
  dpopKey?: ClientKey;
}

export function newClientKey(): ClientKey;
export function discover(issuer: string): Promise<ServerEndpoints>;
export function signIn(
  server: ServerEndpoints,
  client: SignInClient,
  answers: Record<string, string>,
  agent: Agent,
): Promise<{ tokens: { access_token: string; id_token?: string }; consented: boolean }>;
