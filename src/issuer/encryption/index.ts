import { createECDH, createPrivateKey, type KeyObject } from 'node:crypto';
import { type Static, Type as T } from '@sinclair/typebox';
import { CompactEncrypt, compactDecrypt, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { ProtocolError } from '../../platform/errors.js';
import type { MasterKey } from '../../platform/keys/index.js';

/** Key agreement and content encryption we speak (OpenID4VCI 1.0 §10, §12.2.4). */
export const ENCRYPTION_ALGS = ['ECDH-ES'] as const;
export const ENCRYPTION_ENCS = ['A128GCM', 'A256GCM'] as const;
export const ENCRYPTION_ZIPS = ['DEF'] as const;
/** A decompressed request may be at most this large (a zip bomb is refused). */
const MAX_PLAINTEXT = 256 * 1024;

/** `credential_response_encryption` of a request: 1.0 (`alg` inside the jwk) or draft 13 (`alg` beside it). */
export const ResponseEncryption = T.Object({
  jwk: T.Record(T.String(), T.Unknown()),
  enc: T.String({ maxLength: 40 }),
  zip: T.Optional(T.String({ maxLength: 10 })),
  alg: T.Optional(T.String({ maxLength: 40 })),
});
export type ResponseEncryption = Static<typeof ResponseEncryption>;

export function invalidEncryption(description: string): ProtocolError {
  return new ProtocolError(400, 'invalid_encryption_parameters', description);
}

/** A checked response encryption choice, ready to encrypt with. */
export interface ResponseEncrypter {
  encrypt(body: unknown): Promise<string>;
}

const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/**
 * The issuer's request-encryption key (ECDH-ES on P-256), derived from the master key so that every
 * instance holds the same key without storing it; its public half is published in the metadata's
 * `credential_request_encryption.jwks`.
 */
export class IssuerEncryption {
  readonly publicJwk: JWK;
  private readonly privateKey: KeyObject;

  constructor(
    masterKey: MasterKey,
    /** "encryption required" mode: plaintext requests and unencrypted responses are refused. */
    readonly required: boolean,
  ) {
    let d = masterKey.derive('issuer-request-encryption-p256');
    // A derived scalar ≥ n (probability ~2^-32) is reduced; 0 cannot occur from HKDF in practice.
    const scalar = BigInt(`0x${d.toString('hex')}`);
    if (scalar >= P256_ORDER) d = Buffer.from((scalar % P256_ORDER).toString(16).padStart(64, '0'), 'hex');
    const ecdh = createECDH('prime256v1');
    ecdh.setPrivateKey(d);
    const point = ecdh.getPublicKey();
    const x = point.subarray(1, 33).toString('base64url');
    const y = point.subarray(33, 65).toString('base64url');
    this.privateKey = createPrivateKey({
      key: { kty: 'EC', crv: 'P-256', x, y, d: d.toString('base64url') },
      format: 'jwk',
    });
    this.publicJwk = { kty: 'EC', crv: 'P-256', x, y, use: 'enc', alg: 'ECDH-ES', kid: 'request-enc-1' };
  }

  /** `credential_response_encryption` of the metadata (§12.2.4). */
  responseMetadata(): Record<string, unknown> {
    return {
      alg_values_supported: [...ENCRYPTION_ALGS],
      enc_values_supported: [...ENCRYPTION_ENCS],
      zip_values_supported: [...ENCRYPTION_ZIPS],
      encryption_required: this.required,
    };
  }

  /** `credential_request_encryption` of the metadata (§12.2.4). */
  requestMetadata(): Record<string, unknown> {
    return {
      jwks: { keys: [this.publicJwk] },
      enc_values_supported: [...ENCRYPTION_ENCS],
      zip_values_supported: [...ENCRYPTION_ZIPS],
      encryption_required: this.required,
    };
  }

  /** Decrypts an encrypted Credential Request (§10: a JWE with our key, `application/jwt`). */
  async decryptRequest(jwe: string): Promise<unknown> {
    let header: ReturnType<typeof decodeProtectedHeader>;
    try {
      header = decodeProtectedHeader(jwe);
    } catch {
      throw invalidEncryption('the request is not a JWE');
    }
    if (!(ENCRYPTION_ALGS as readonly string[]).includes(header.alg ?? ''))
      throw invalidEncryption('unsupported request encryption alg');
    if (!(ENCRYPTION_ENCS as readonly string[]).includes(header.enc ?? ''))
      throw invalidEncryption('unsupported request encryption enc');
    if (header.kid !== undefined && header.kid !== this.publicJwk.kid)
      throw invalidEncryption('unknown request encryption key');
    try {
      const { plaintext } = await compactDecrypt(jwe, this.privateKey, {
        keyManagementAlgorithms: [...ENCRYPTION_ALGS],
        contentEncryptionAlgorithms: [...ENCRYPTION_ENCS],
        maxDecompressedLength: MAX_PLAINTEXT,
      });
      return JSON.parse(new TextDecoder().decode(plaintext));
    } catch {
      throw invalidEncryption('the request could not be decrypted');
    }
  }

  /**
   * Checks the wallet's choice against what we support (§8.2) and returns an encrypter; errors are
   * `invalid_encryption_parameters`, and are themselves never encrypted.
   */
  async responseEncrypter(params: ResponseEncryption): Promise<ResponseEncrypter> {
    const jwk = params.jwk as JWK;
    const alg = params.alg ?? jwk.alg;
    if (typeof alg !== 'string' || !(ENCRYPTION_ALGS as readonly string[]).includes(alg))
      throw invalidEncryption('unsupported credential response encryption alg');
    if (!(ENCRYPTION_ENCS as readonly string[]).includes(params.enc))
      throw invalidEncryption('unsupported credential response encryption enc');
    if (params.zip !== undefined && !(ENCRYPTION_ZIPS as readonly string[]).includes(params.zip))
      throw invalidEncryption('unsupported credential response compression');
    if ('d' in jwk) throw invalidEncryption('the response encryption jwk must be a public key');
    const isEc = jwk.kty === 'EC' && ['P-256', 'P-384', 'P-521'].includes(jwk.crv ?? '');
    const isX = jwk.kty === 'OKP' && jwk.crv === 'X25519';
    if (!isEc && !isX) throw invalidEncryption('the response encryption jwk must be an EC or X25519 key');
    let key: Awaited<ReturnType<typeof importJWK>>;
    try {
      key = await importJWK({ ...jwk, alg }, alg);
    } catch {
      throw invalidEncryption('the response encryption jwk is not a valid key');
    }
    const header = {
      alg,
      enc: params.enc,
      ...(params.zip ? { zip: params.zip } : {}),
      ...(typeof jwk.kid === 'string' ? { kid: jwk.kid } : {}),
    };
    return {
      async encrypt(body: unknown) {
        return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(body)))
          .setProtectedHeader(header)
          .encrypt(key);
      },
    };
  }
}
