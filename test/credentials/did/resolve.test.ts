import { exportJWK, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { base58btcDecode } from '../../../src/credentials/did/base58.js';
import { DidResolutionError, resolveDidUrlToJwk } from '../../../src/credentials/did/index.js';

describe('did:key', () => {
  // Vectors from the did:key specification's test suite (W3C CCG), as used by other implementations.
  it('resolves an Ed25519 did:key', () => {
    expect(resolveDidUrlToJwk('did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK')).toEqual({
      kty: 'OKP',
      crv: 'Ed25519',
      x: 'Lm_M42cB3HkUiODQsXRcweM6TByfzEHGO9ND274JcOY',
    });
  });

  it.each([
    [
      'zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169',
      'fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI',
      'hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU',
    ],
    [
      'zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv',
      'igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns',
      'efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM',
    ],
  ])('resolves the P-256 did:key %s (compressed point decompressed)', (id, x, y) => {
    expect(resolveDidUrlToJwk(`did:key:${id}#${id}`)).toEqual({ kty: 'EC', crv: 'P-256', x, y });
  });

  it.each([
    ['a foreign fragment', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6MkOther'],
    ['a non-base58btc multibase', 'did:key:uAe0B'],
    ['a character outside base58', 'did:key:z6Mk0OIl'],
    ['a secp256k1 key', 'did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme'],
    ['a truncated Ed25519 key', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEG'],
  ])('refuses %s', (_name, did) => {
    expect(() => resolveDidUrlToJwk(did)).toThrow(DidResolutionError);
  });
});

describe('did:jwk', () => {
  it('resolves the JWK it encodes, with fragment #0', async () => {
    const { publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const did = `did:jwk:${Buffer.from(JSON.stringify(jwk)).toString('base64url')}`;
    expect(resolveDidUrlToJwk(`${did}#0`)).toEqual(jwk);
    expect(resolveDidUrlToJwk(did)).toEqual(jwk);
    expect(() => resolveDidUrlToJwk(`${did}#1`)).toThrow(DidResolutionError);
  });

  it('refuses a did:jwk carrying a private or symmetric key, or junk', async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    const encode = (value: unknown) => `did:jwk:${Buffer.from(JSON.stringify(value)).toString('base64url')}`;
    const privateJwk = await exportJWK(privateKey);
    expect(() => resolveDidUrlToJwk(encode(privateJwk))).toThrow(/private/);
    expect(() => resolveDidUrlToJwk(encode({ kty: 'oct', k: 'c2VjcmV0' }))).toThrow(DidResolutionError);
    expect(() => resolveDidUrlToJwk(encode([1, 2]))).toThrow(DidResolutionError);
    expect(() => resolveDidUrlToJwk('did:jwk:not json!')).toThrow(DidResolutionError);
  });
});

it('refuses other DID methods and DID URL paths', () => {
  expect(() => resolveDidUrlToJwk('did:web:example.com#key-1')).toThrow(/not supported/);
  expect(() => resolveDidUrlToJwk('did:key:z6Mk/path')).toThrow(DidResolutionError);
});

it('decodes base58btc with leading zero bytes', () => {
  expect([...base58btcDecode('1112')]).toEqual([0, 0, 0, 1]);
  expect(Buffer.from(base58btcDecode('StV1DL6CwTryKyV')).toString()).toBe('hello world');
});
