import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { exportJWK, type JWK, SignJWT } from 'jose';

export interface Holder {
  privateKey: KeyObject;
  publicJwk: JWK;
}

export async function newHolders(count: number): Promise<Holder[]> {
  return Promise.all(
    Array.from({ length: count }, async () => {
      const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      return { privateKey, publicJwk: await exportJWK(publicKey) };
    }),
  );
}

export async function fetchNonces(issuer: string, count: number, concurrency = 16): Promise<string[]> {
  const nonces: string[] = [];
  const worker = async () => {
    while (nonces.length < count) {
      const response = await fetch(`${issuer}/nonce`, { method: 'POST' });
      nonces.push(((await response.json()) as { c_nonce: string }).c_nonce);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return nonces.slice(0, count);
}

/** An OpenID4VCI 1.0 Appendix F.1 key proof, as a wallet signs it. */
export function signProof(holder: Holder, issuer: string, nonce: string): Promise<string> {
  return new SignJWT({ nonce })
    .setProtectedHeader({ typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: holder.publicJwk })
    .setAudience(issuer)
    .setIssuedAt()
    .sign(holder.privateKey);
}
