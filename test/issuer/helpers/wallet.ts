import { type CryptoKey, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

export type HolderAlg = 'ES256' | 'EdDSA';

export interface Holder {
  alg: HolderAlg;
  privateKey: CryptoKey;
  publicJwk: JWK;
  privateJwk: JWK;
}

export async function newHolder(alg: HolderAlg = 'ES256'): Promise<Holder> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true });
  return { alg, privateKey, publicJwk: await exportJWK(publicKey), privateJwk: await exportJWK(privateKey) };
}

export interface ProofOptions {
  audience: string;
  nonce?: string;
  /** Seconds since the epoch (default now). */
  iat?: number;
  /** Header members merged over `{typ, alg, jwk}`; `undefined` removes one. */
  header?: Record<string, unknown>;
  /** Sign with this key instead of the holder's (a proof whose signature does not match its jwk). */
  signWith?: CryptoKey;
}

/** An OpenID4VCI 1.0 Appendix F.1 key proof as a wallet would make it. */
export async function proofJwt(holder: Holder, options: ProofOptions): Promise<string> {
  const header: Record<string, unknown> = {
    typ: 'openid4vci-proof+jwt',
    alg: holder.alg,
    jwk: holder.publicJwk,
    ...options.header,
  };
  for (const [name, value] of Object.entries(header)) if (value === undefined) delete header[name];
  const payload: Record<string, unknown> = {
    aud: options.audience,
    iat: options.iat ?? Math.floor(Date.now() / 1000),
    ...(options.nonce !== undefined ? { nonce: options.nonce } : {}),
  };
  return new SignJWT(payload)
    .setProtectedHeader(header as { alg: string })
    .sign(options.signWith ?? holder.privateKey);
}

/** A proof with `alg: none` and no signature (must never be accepted). */
export function unsignedProof(holder: Holder, options: ProofOptions): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const header = { typ: 'openid4vci-proof+jwt', alg: 'none', jwk: holder.publicJwk };
  const payload = { aud: options.audience, iat: Math.floor(Date.now() / 1000), nonce: options.nonce };
  return `${b64(header)}.${b64(payload)}.`;
}

const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58btc(bytes: Uint8Array): string {
  let n = BigInt(`0x${Buffer.from(bytes).toString('hex')}`);
  let out = '';
  while (n > 0n) {
    out = BASE58[Number(n % 58n)] + out;
    n /= 58n;
  }
  for (const byte of bytes) {
    if (byte !== 0) break;
    out = `1${out}`;
  }
  return out;
}

/** did:key of a holder (Ed25519 0xed, P-256 0x1200 compressed), written independently of the resolver. */
export function didKeyOf(holder: Holder): string {
  const x = Buffer.from(holder.publicJwk.x as string, 'base64url');
  if (holder.alg === 'EdDSA') return `did:key:z${base58btc(Buffer.concat([Buffer.from([0xed, 0x01]), x]))}`;
  const y = Buffer.from(holder.publicJwk.y as string, 'base64url');
  const prefix = (y[31] as number) & 1 ? 0x03 : 0x02;
  return `did:key:z${base58btc(Buffer.concat([Buffer.from([0x80, 0x24, prefix]), x]))}`;
}

export function didJwkOf(holder: Holder): string {
  return `did:jwk:${Buffer.from(JSON.stringify(holder.publicJwk)).toString('base64url')}`;
}
