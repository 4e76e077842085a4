import { createPrivateKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { base58btcDecode } from '../../../../src/credentials/did/base58.js';
import { createDocumentLoader } from '../../../../src/credentials/jsonld/document-loader.js';
import { LocalSigningKey } from '../../../../src/platform/keys/index.js';

export const FIXTURES = new URL('../../../fixtures/vc-di-eddsa/', import.meta.url);

export function fixture<T = Record<string, unknown>>(path: string): T {
  return JSON.parse(readFileSync(new URL(path, FIXTURES), 'utf8')) as T;
}

export function fixtureText(path: string): string {
  return readFileSync(new URL(path, FIXTURES), 'utf8');
}

/** The test vectors' example vocabulary: registered in the test loader only, never in the issuer's. */
export const EXAMPLES_V2 = 'https://www.w3.org/ns/credentials/examples/v2';
export const testLoader = createDocumentLoader({
  contexts: { [EXAMPLES_V2]: { '@context': { '@vocab': 'https://www.w3.org/ns/credentials/examples#' } } },
});

/** The vectors' Ed25519 key (privateKeyMultibase: 0x8026 ‖ 32-byte seed) as one of our SigningKeys. */
export async function vectorKey(): Promise<LocalSigningKey> {
  const { privateKeyMultibase } = fixture<{ privateKeyMultibase: string }>('keyPair.json');
  const bytes = base58btcDecode(privateKeyMultibase.slice(1));
  const seed = bytes.subarray(2);
  const pkcs8 = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]);
  return LocalSigningKey.fromPrivateKey(
    createPrivateKey({ key: pkcs8, format: 'der', type: 'pkcs8' }),
    'EdDSA',
  );
}

export const VECTOR_VM =
  'did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2';
