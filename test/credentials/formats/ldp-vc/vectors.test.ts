import * as vc from '@digitalbazaar/vc';
import { describe, expect, it } from 'vitest';
import { createSuite } from '../../../../src/credentials/data-integrity/suites.js';
import { didKeyFromJwk } from '../../../../src/credentials/did/multikey.js';
import { issueLdpVc } from '../../../../src/credentials/formats/ldp-vc/issue.js';
import { ED25519_2020_CONTEXT } from '../../../../src/credentials/jsonld/contexts.js';
import { fixture, fixtureText, testLoader, VECTOR_VM, vectorKey } from './helpers.js';

const CREATED = new Date('2023-02-24T23:36:38Z');

describe('W3C vc-di-eddsa test vectors', () => {
  it('the vector key is the published did:key', async () => {
    const key = await vectorKey();
    expect(`${didKeyFromJwk(key.publicJwk)}#`).toBe(`${VECTOR_VM.split('#')[0]}#`);
  });

  it('eddsa-rdfc-2022: signing unsigned.json reproduces signedDataInt.json byte for byte', async () => {
    const signed = await issueLdpVc({
      credential: fixture('unsigned.json'),
      suite: 'eddsa-rdfc-2022',
      key: await vectorKey(),
      verificationMethod: VECTOR_VM,
      documentLoader: testLoader,
      created: CREATED,
    });
    const expected = fixtureText('eddsa-rdfc-2022/signedDataInt.json');
    expect(`${JSON.stringify(signed, null, 2)}`).toBe(expected.trimEnd());
  });

  it('eddsa-rdfc-2022: our canonicalisation equals the vector canonical document', async () => {
    const { cryptosuite } = await import('@digitalbazaar/eddsa-rdfc-2022-cryptosuite');
    const canonical = await cryptosuite.canonize(fixture('unsigned.json'), { documentLoader: testLoader });
    expect(canonical).toBe(fixtureText('eddsa-rdfc-2022/canonDocDataInt.txt'));
  });

  // The vectors' issuer (https://vc.example/issuers/5678) is not the key's controller, which
  // @digitalbazaar/vc rightly refuses; so the vector document is issued by the vector's did:key here.
  it.each(['eddsa-rdfc-2022', 'eddsa-jcs-2022', 'Ed25519Signature2020'] as const)(
    '%s: the vector credential signed with the vector key verifies with @digitalbazaar/vc',
    async (suite) => {
      const credential: Record<string, unknown> = {
        ...fixture('unsigned.json'),
        issuer: VECTOR_VM.split('#')[0],
      };
      if (suite === 'Ed25519Signature2020') {
        credential['@context'] = [...(credential['@context'] as string[]), ED25519_2020_CONTEXT];
      }
      const signed = await issueLdpVc({
        credential,
        suite,
        key: await vectorKey(),
        verificationMethod: VECTOR_VM,
        documentLoader: testLoader,
        created: CREATED,
      });
      const result = await vc.verifyCredential({
        credential: signed,
        suite: createSuite(suite),
        documentLoader: testLoader,
      });
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
    },
  );

  it('eddsa-jcs-2022 and Ed25519Signature2020: same proofValue as the published vectors', async () => {
    for (const [suite, path] of [
      ['eddsa-jcs-2022', 'eddsa-jcs-2022/signedJCS.json'],
      ['Ed25519Signature2020', 'Ed25519Signature2020/signedEdSig.json'],
    ] as const) {
      const expected = fixture<{ proof: { proofValue: string }; '@context': string[] }>(path);
      const signed = await issueLdpVc({
        credential: { ...fixture('unsigned.json'), '@context': expected['@context'] },
        suite,
        key: await vectorKey(),
        verificationMethod: VECTOR_VM,
        documentLoader: testLoader,
        created: CREATED,
      });
      expect((signed.proof as { proofValue: string }).proofValue, suite).toBe(expected.proof.proofValue);
    }
  });

  it('a tampered vector fails', async () => {
    const credential = fixture<{ credentialSubject: { alumniOf: string } }>(
      'eddsa-rdfc-2022/signedDataInt.json',
    );
    credential.credentialSubject.alumniOf = 'The School of Forgery';
    const result = await vc.verifyCredential({
      credential,
      suite: createSuite('eddsa-rdfc-2022'),
      documentLoader: testLoader,
    });
    expect(result.verified).toBe(false);
  });
});
