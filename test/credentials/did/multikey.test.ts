import { generateKeyPairSync } from 'node:crypto';
import * as EcdsaMultikey from '@digitalbazaar/ecdsa-multikey';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { JWK } from 'jose';
import { describe, expect, it } from 'vitest';
import { didKeyFromJwk, resolveDidUrlToJwk } from '../../../src/credentials/did/index.js';

/**
 * Our Multikey encoding (did:key, the did:web document's `publicKeyMultibase`) is checked against
 * Digital Bazaar's multikey packages: same multibase for the same key, same key back from it.
 * (Ours is kept for speed and a synchronous API; docs/decisions.md.)
 */
const LIBRARIES = {
  'P-256': { library: EcdsaMultikey, generate: () => generateKeyPairSync('ec', { namedCurve: 'P-256' }) },
  Ed25519: { library: Ed25519Multikey, generate: () => generateKeyPairSync('ed25519') },
};

describe.each(Object.entries(LIBRARIES))('%s Multikey', (_curve, { library, generate }) => {
  it('encodes and decodes as @digitalbazaar does, for many keys', async () => {
    for (let i = 0; i < 25; i++) {
      const { kty, crv, x, y } = generate().publicKey.export({ format: 'jwk' }) as JWK;
      const jwk = { kty, crv, x, ...(y ? { y } : {}) } as JWK;
      const theirs = (await (await library.fromJwk({ jwk })).export({ publicKey: true })).publicKeyMultibase;
      const did = didKeyFromJwk(jwk);
      expect(did).toBe(`did:key:${theirs}`);
      const ours = resolveDidUrlToJwk(did);
      const back = await library.toJwk({ keyPair: await library.from({ publicKeyMultibase: theirs }) });
      expect(ours).toEqual({ kty: back.kty, crv: back.crv, x: back.x, ...(back.y ? { y: back.y } : {}) });
      expect(ours).toEqual(jwk);
    }
  });
});
