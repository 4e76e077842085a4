import {
  CompactEncrypt,
  compactDecrypt,
  decodeJwt,
  decodeProtectedHeader,
  exportJWK,
  generateKeyPair,
  type JWK,
} from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { IssuerEncryption } from '../../../src/issuer/encryption/index.js';
import { loadMasterKey } from '../../../src/platform/keys/index.js';
import {
  expectError,
  http,
  postCredential,
  preAuthorizedToken,
  proofsFor,
} from '../helpers/protocol-client.js';
import { type ProtocolIssuer, protocolIssuerForFile } from '../helpers/protocol-issuer.js';
import { newHolder } from '../helpers/wallet.js';

let wallet: { privateKey: CryptoKey; jwk: JWK };

const issuer = protocolIssuerForFile();
const strict = protocolIssuerForFile({ protocol: { encryptionRequired: true } });
beforeAll(async () => {
  const { privateKey, publicKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256' });
  wallet = {
    privateKey: privateKey as CryptoKey,
    jwk: { ...(await exportJWK(publicKey)), alg: 'ECDH-ES', kid: 'wallet-enc' },
  };
});

async function requestBody(target: ProtocolIssuer, extra: Record<string, unknown> = {}) {
  const proofs = await proofsFor(target.url, [await newHolder()]);
  return { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: proofs }, ...extra };
}

async function issuerEncryptionKey(target: ProtocolIssuer): Promise<JWK> {
  const metadata = (await http(`${target.url}/.well-known/openid-credential-issuer`)).body as {
    credential_request_encryption: { jwks: { keys: JWK[] } };
  };
  return metadata.credential_request_encryption.jwks.keys[0] as JWK;
}

async function encryptTo(key: JWK, body: unknown, enc = 'A128GCM'): Promise<string> {
  const { importJWK } = await import('jose');
  return new CompactEncrypt(new TextEncoder().encode(JSON.stringify(body)))
    .setProtectedHeader({ alg: 'ECDH-ES', enc, kid: key.kid as string })
    .encrypt(await importJWK(key, 'ECDH-ES'));
}

async function decrypt(jwe: string): Promise<Record<string, unknown>> {
  const { plaintext } = await compactDecrypt(jwe, wallet.privateKey);
  return JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>;
}

describe('credential response encryption (OpenID4VCI 1.0 §10)', () => {
  for (const [enc, zip] of [
    ['A128GCM', undefined],
    ['A256GCM', 'DEF'],
  ] as const) {
    it(`round-trips ECDH-ES + ${enc}${zip ? ' + zip' : ''}`, async () => {
      const token = await preAuthorizedToken(issuer.url);
      const body = await requestBody(issuer, {
        credential_response_encryption: { jwk: wallet.jwk, enc, ...(zip ? { zip } : {}) },
      });
      const result = await postCredential(issuer.url, body, token);
      expect(result.status).toBe(200);
      expect(result.headers.get('content-type')).toMatch(/^application\/jwt/);
      const header = decodeProtectedHeader(result.text);
      expect(header).toMatchObject({ alg: 'ECDH-ES', enc, kid: 'wallet-enc', ...(zip ? { zip } : {}) });
      const decrypted = await decrypt(result.text);
      const [credential] = decrypted.credentials as { credential: string }[];
      expect(decodeJwt(credential?.credential ?? '').given_name).toBe('Amara');
      expect(typeof decrypted.notification_id).toBe('string');
    });
  }

  it('never encrypts an error', async () => {
    const token = await preAuthorizedToken(issuer.url);
    const body = await requestBody(issuer, {
      credential_response_encryption: { jwk: wallet.jwk, enc: 'A256GCM' },
    });
    (body.proofs as { jwt: string[] }).jwt = ['not-a-proof'];
    const result = await postCredential(issuer.url, body, token);
    expectError(result, 400, 'invalid_proof');
    expect(result.headers.get('content-type')).toMatch(/^application\/json/);
  });

  const unsupported: [string, (jwk: JWK) => Record<string, unknown>][] = [
    ['an unsupported alg', (jwk) => ({ jwk: { ...jwk, alg: 'RSA-OAEP-256' }, enc: 'A256GCM' })],
    ['no alg at all', (jwk) => ({ jwk: { ...jwk, alg: undefined }, enc: 'A256GCM' })],
    ['an unsupported enc', (jwk) => ({ jwk: jwk, enc: 'A128CBC-HS256' })],
    ['an unsupported zip', (jwk) => ({ jwk: jwk, enc: 'A256GCM', zip: 'GZIP' })],
    ['a private key', (jwk) => ({ jwk: { ...jwk, d: 'AAAA' }, enc: 'A256GCM' })],
    ['a symmetric key', () => ({ jwk: { kty: 'oct', k: 'AAAA', alg: 'ECDH-ES' }, enc: 'A256GCM' })],
  ];
  for (const [name, params] of unsupported) {
    it(`refuses ${name} with invalid_encryption_parameters`, async () => {
      const token = await preAuthorizedToken(issuer.url);
      const result = await postCredential(
        issuer.url,
        await requestBody(issuer, {
          credential_response_encryption: JSON.parse(JSON.stringify(params(wallet.jwk))),
        }),
        token,
      );
      expectError(result, 400, 'invalid_encryption_parameters');
    });
  }
});

describe('credential request encryption', () => {
  it('decrypts a JWE request made to the published key and encrypts the response', async () => {
    const token = await preAuthorizedToken(issuer.url);
    const key = await issuerEncryptionKey(issuer);
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', use: 'enc', alg: 'ECDH-ES' });
    expect(key.d).toBeUndefined();
    const jwe = await encryptTo(
      key,
      await requestBody(issuer, { credential_response_encryption: { jwk: wallet.jwk, enc: 'A128GCM' } }),
    );
    const result = await postCredential(issuer.url, jwe, token, { contentType: 'application/jwt' });
    expect(result.status).toBe(200);
    expect(((await decrypt(result.text)).credentials as unknown[]).length).toBe(1);
  });

  it('requires response encryption with an encrypted request', async () => {
    const token = await preAuthorizedToken(issuer.url);
    const jwe = await encryptTo(await issuerEncryptionKey(issuer), await requestBody(issuer));
    expectError(
      await postCredential(issuer.url, jwe, token, { contentType: 'application/jwt' }),
      400,
      'invalid_encryption_parameters',
    );
  });

  it('refuses a request it cannot decrypt, or encrypted with an unsupported enc', async () => {
    const token = await preAuthorizedToken(issuer.url);
    const { publicKey } = await generateKeyPair('ECDH-ES', { crv: 'P-256' });
    const stranger = { ...(await exportJWK(publicKey)), kid: (await issuerEncryptionKey(issuer)).kid };
    const jwe = await encryptTo(stranger, await requestBody(issuer));
    expectError(
      await postCredential(issuer.url, jwe, token, { contentType: 'application/jwt' }),
      400,
      'invalid_encryption_parameters',
    );
    const cbc = await encryptTo(
      await issuerEncryptionKey(issuer),
      await requestBody(issuer),
      'A128CBC-HS256',
    );
    expectError(
      await postCredential(issuer.url, cbc, token, { contentType: 'application/jwt' }),
      400,
      'invalid_encryption_parameters',
    );
  });

  it('derives the same request key on every instance (from the master key)', async () => {
    const masterKey = loadMasterKey(issuer.config.keys.masterKeyFile);
    const another = new IssuerEncryption(masterKey, false);
    expect(another.publicJwk).toEqual(await issuerEncryptionKey(issuer));
    // …and another master key gives another key.
    expect(another.publicJwk).not.toEqual(await issuerEncryptionKey(strict));
  });
});

describe('"encryption required" mode', () => {
  it('advertises it and refuses plaintext requests and plaintext responses', async () => {
    const metadata = (await http(`${strict.url}/.well-known/openid-credential-issuer`)).body as Record<
      string,
      { encryption_required: boolean }
    >;
    expect(metadata.credential_response_encryption?.encryption_required).toBe(true);
    expect(metadata.credential_request_encryption?.encryption_required).toBe(true);
    const token = await preAuthorizedToken(strict.url);
    expectError(
      await postCredential(
        strict.url,
        await requestBody(strict, { credential_response_encryption: { jwk: wallet.jwk, enc: 'A256GCM' } }),
        token,
      ),
      400,
      'invalid_encryption_parameters',
    );
    const jwe = await encryptTo(
      await issuerEncryptionKey(strict),
      await requestBody(strict, { credential_response_encryption: { jwk: wallet.jwk, enc: 'A256GCM' } }),
    );
    const result = await postCredential(strict.url, jwe, token, { contentType: 'application/jwt' });
    expect(result.status).toBe(200);
    expect(((await decrypt(result.text)).credentials as unknown[]).length).toBe(1);
  });
});
