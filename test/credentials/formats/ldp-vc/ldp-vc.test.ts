import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import { Ed25519Signature2020 } from '@digitalbazaar/ed25519-signature-2020';
import { createVerifyCryptosuite } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PROOF_SUITES,
  type ProofSuite,
  SUITE_ALGORITHM,
} from '../../../../src/credentials/data-integrity/suite-names.js';
import { buildDidWebDocument, didJwkFromJwk } from '../../../../src/credentials/did/index.js';
import { issueLdpVc } from '../../../../src/credentials/formats/ldp-vc/issue.js';
import { verifyLdpVc } from '../../../../src/credentials/formats/ldp-vc/verify.js';
import {
  createDocumentLoader,
  DocumentLoaderError,
} from '../../../../src/credentials/jsonld/document-loader.js';
import { buildW3cCredential, type DataModel } from '../../../../src/credentials/w3c/credential.js';
import { LocalSigningKey } from '../../../../src/platform/keys/index.js';

const DID = 'did:web:issuer.example';
let ed: LocalSigningKey;
let p256: LocalSigningKey;
let retired: LocalSigningKey;
let holder: LocalSigningKey;
let loader: ReturnType<typeof createDocumentLoader>;

beforeAll(async () => {
  [ed, p256, retired, holder] = await Promise.all([
    LocalSigningKey.generate('EdDSA'),
    LocalSigningKey.generate('ES256'),
    LocalSigningKey.generate('EdDSA'),
    LocalSigningKey.generate('ES256'),
  ]);
  const document = buildDidWebDocument(DID, [
    { jwk: ed.publicJwk, status: 'active' },
    { jwk: p256.publicJwk, status: 'active' },
    { jwk: retired.publicJwk, status: 'retired' },
  ]);
  loader = createDocumentLoader({ resolveDid: async (did) => (did === DID ? document : undefined) });
});

/** Independent verification: @digitalbazaar/vc with the published suites, not our wrappers. */
function independentSuite(suite: ProofSuite): unknown {
  if (suite === 'Ed25519Signature2020') return new Ed25519Signature2020();
  const cryptosuite =
    suite === 'eddsa-rdfc-2022'
      ? eddsaRdfc2022
      : suite === 'ecdsa-rdfc-2019'
        ? ecdsaRdfc2019
        : createVerifyCryptosuite();
  return new DataIntegrityProof({ cryptosuite });
}

function credential(dataModel: DataModel) {
  return buildW3cCredential({
    dataModel,
    issuer: DID,
    types: ['NationalIdCredential'],
    credentialSubject: {
      given_name: 'Amara',
      family_name: 'Okafor',
      address: { locality: 'Lagos', country: 'NG' },
      nationalities: ['NG'],
    },
    subjectId: didJwkFromJwk(holder.publicJwk),
    id: 'urn:uuid:3978344f-8596-4c3a-a978-8fcaba3903c5',
    name: 'National ID',
    validFrom: new Date(Date.now() - 3600_000),
    validUntil: new Date(Date.now() + 86_400_000),
    status: [
      {
        statusPurpose: 'revocation',
        statusListIndex: '94567',
        statusListCredential: 'https://issuer.example/status/1',
      },
    ],
  });
}

async function sign(suite: ProofSuite, dataModel: DataModel, key?: LocalSigningKey) {
  const signingKey = key ?? (SUITE_ALGORITHM[suite] === 'ES256' ? p256 : ed);
  return issueLdpVc({
    credential: credential(dataModel),
    suite,
    key: signingKey,
    verificationMethod: `${DID}#${signingKey.kid}`,
    documentLoader: loader,
  });
}

const CASES = PROOF_SUITES.flatMap((suite) => (['2.0', '1.1'] as const).map((dm) => [suite, dm] as const));

describe('ldp_vc', () => {
  it.each(CASES)(
    '%s, VCDM %s: @digitalbazaar/vc verifies it; a tampered copy fails',
    async (suite, dataModel) => {
      const signed = await sign(suite, dataModel);
      const checkStatus = async () => ({ verified: true });
      const ok = await vc.verifyCredential({
        credential: signed,
        suite: independentSuite(suite),
        documentLoader: loader,
        checkStatus,
      });
      expect(ok.error).toBeUndefined();
      expect(ok.verified).toBe(true);
      expect(signed['@context']).toContain(
        dataModel === '2.0'
          ? 'https://www.w3.org/ns/credentials/v2'
          : 'https://www.w3.org/2018/credentials/v1',
      );
      expect(signed[dataModel === '2.0' ? 'validFrom' : 'issuanceDate']).toMatch(/Z$/);

      const ours = await verifyLdpVc(signed, { documentLoader: loader, expectedIssuer: DID });
      expect(ours).toMatchObject({ dataModel, suite, issuer: DID });

      const tampered = structuredClone(signed) as { credentialSubject: { address: { locality: string } } };
      tampered.credentialSubject.address.locality = 'Abuja';
      const bad = await vc.verifyCredential({
        credential: tampered,
        suite: independentSuite(suite),
        documentLoader: loader,
        checkStatus,
      });
      expect(bad.verified).toBe(false);
      await expect(verifyLdpVc(tampered, { documentLoader: loader })).rejects.toThrow('proof invalid');
    },
  );

  it('a credential signed by a retired key still verifies (the DID document lists it)', async () => {
    const signed = await sign('eddsa-rdfc-2022', '2.0', retired);
    await expect(verifyLdpVc(signed, { documentLoader: loader })).resolves.toMatchObject({
      verificationMethod: `${DID}#${retired.kid}`,
    });
  });

  it('a key not in the DID document is refused', async () => {
    const stranger = await LocalSigningKey.generate('EdDSA');
    const signed = await sign('eddsa-rdfc-2022', '2.0', stranger);
    await expect(verifyLdpVc(signed, { documentLoader: loader })).rejects.toThrow();
  });

  it('an unknown context is a clear error and never a network fetch', async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    const input = credential('2.0');
    input['@context'] = [...(input['@context'] as string[]), 'https://evil.example/context.jsonld'];
    const error = await issueLdpVc({
      credential: input,
      suite: 'eddsa-rdfc-2022',
      key: ed,
      verificationMethod: `${DID}#${ed.kid}`,
      documentLoader: loader,
    }).catch((e: unknown) => e);
    // jsonld wraps loader errors; the cause names the refused URL.
    expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).toContain(
      'not allowed (offline loader)',
    );
    await expect(loader('https://evil.example/context.jsonld')).rejects.toBeInstanceOf(DocumentLoaderError);
    await expect(loader('did:web:elsewhere.example')).rejects.toThrow('DID not resolvable offline');
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it('canonicalisation is bounded: a blank-node clique ("poison graph") aborts', async () => {
    // 12 blank nodes, each linked to all others by the same predicate: every node looks alike,
    // and RDFC-1.0 would need to try n! orderings. maxWorkFactor 1 allows n deep iterations.
    const ids = Array.from({ length: 12 }, (_, i) => `_:b${i}`);
    const input = credential('2.0');
    input.credentialSubject = {
      id: 'did:example:poison',
      knows: ids.map((id) => ({
        '@id': id,
        knows: ids.filter((other) => other !== id).map((o) => ({ '@id': o })),
      })),
    };
    const started = Date.now();
    await expect(
      issueLdpVc({
        credential: input,
        suite: 'eddsa-rdfc-2022',
        key: ed,
        verificationMethod: `${DID}#${ed.kid}`,
        documentLoader: loader,
      }),
    ).rejects.toThrow(/Maximum deep iterations|Abort/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('refuses an oversized credential before any JSON-LD work', async () => {
    const signed = await sign('eddsa-rdfc-2022', '2.0');
    (signed.credentialSubject as Record<string, unknown>).padding = 'x'.repeat(300 * 1024);
    await expect(verifyLdpVc(signed, { documentLoader: loader })).rejects.toThrow('credential too large');
  });

  it('refuses a suite/key algorithm mismatch', async () => {
    await expect(
      issueLdpVc({
        credential: credential('2.0'),
        suite: 'ecdsa-rdfc-2019',
        key: ed,
        verificationMethod: `${DID}#${ed.kid}`,
        documentLoader: loader,
      }),
    ).rejects.toThrow('needs an ES256 key');
  });
});
