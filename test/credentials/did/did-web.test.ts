import { describe, expect, it } from 'vitest';
import {
  buildDidWebDocument,
  DidResolutionError,
  didWebDocumentUrl,
  didWebFromUrl,
  jwkToMultibase,
  resolveVerificationMethodJwk,
} from '../../../src/credentials/did/index.js';
import { LocalSigningKey } from '../../../src/platform/keys/index.js';

describe('did:web', () => {
  // did:web §3.2: the port is percent-encoded, path segments become colon-separated.
  it.each([
    ['https://issuer.example', 'did:web:issuer.example', 'https://issuer.example/.well-known/did.json'],
    [
      'https://issuer.example:8443',
      'did:web:issuer.example%3A8443',
      'https://issuer.example:8443/.well-known/did.json',
    ],
    [
      'https://example.com/issuers/a',
      'did:web:example.com:issuers:a',
      'https://example.com/issuers/a/did.json',
    ],
    ['http://localhost:3002', 'did:web:localhost%3A3002', 'http://localhost:3002/.well-known/did.json'],
  ])('%s ↔ %s', (url, did, documentUrl) => {
    expect(didWebFromUrl(url)).toBe(did);
    expect(didWebDocumentUrl(did)).toBe(documentUrl);
  });

  it('refuses malformed did:web identifiers, and plain http except on loopback', () => {
    expect(() => didWebDocumentUrl('did:web:evil.example/x')).toThrow(DidResolutionError);
    expect(() => didWebDocumentUrl('did:web:a.example#key')).toThrow(DidResolutionError);
    expect(() => didWebDocumentUrl('did:key:z6Mk')).toThrow(DidResolutionError);
    expect(didWebDocumentUrl('did:web:127.0.0.1%3A9000')).toBe('http://127.0.0.1:9000/.well-known/did.json');
  });

  it('lists each key as a Multikey assertion method whose id resolves back to the key', async () => {
    const ed = await LocalSigningKey.generate('EdDSA');
    const p256 = await LocalSigningKey.generate('ES256');
    const did = 'did:web:issuer.example';
    const document = buildDidWebDocument(did, [
      { jwk: ed.publicJwk },
      { jwk: p256.publicJwk, status: 'retired' },
    ]);
    expect(document.assertionMethod).toEqual([`${did}#${ed.kid}`, `${did}#${p256.kid}`]);
    expect((document.verificationMethod as { publicKeyMultibase: string }[])[0]?.publicKeyMultibase).toBe(
      jwkToMultibase(ed.publicJwk),
    );
    expect(jwkToMultibase(ed.publicJwk)).toMatch(/^z6Mk/);
    expect(jwkToMultibase(p256.publicJwk)).toMatch(/^zDn/);
    const resolveDid = async () => document;
    for (const key of [ed, p256]) {
      const jwk = await resolveVerificationMethodJwk(`${did}#${key.kid}`, resolveDid);
      expect(jwk).toMatchObject({ kty: key.publicJwk.kty, crv: key.publicJwk.crv, x: key.publicJwk.x });
    }
    await expect(resolveVerificationMethodJwk(`${did}#unknown`, resolveDid)).rejects.toThrow(
      'verification method not in the DID document',
    );
    await expect(
      resolveVerificationMethodJwk(`${did}#${ed.kid}`, async () => ({
        ...document,
        id: 'did:web:other.example',
      })),
    ).rejects.toThrow('DID document is not for this DID');
  });
});
