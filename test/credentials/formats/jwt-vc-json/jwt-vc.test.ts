import { decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildDidWebDocument, didJwkFromJwk } from '../../../../src/credentials/did/index.js';
import { FormatError, jwtVcJson, vcJwt } from '../../../../src/credentials/formats/index.js';
import { issueJwtVc } from '../../../../src/credentials/formats/jwt-vc-json/issue.js';
import { verifyJwtVc } from '../../../../src/credentials/formats/jwt-vc-json/verify.js';
import { buildW3cCredential, type DataModel } from '../../../../src/credentials/w3c/credential.js';
import { LocalSigningKey } from '../../../../src/platform/keys/index.js';

const DID = 'did:web:issuer.example';
const keys: Record<'ES256' | 'EdDSA', LocalSigningKey> = {} as never;
let holder: LocalSigningKey;
let document: Record<string, unknown>;
const resolveDid = async (did: string) => (did === DID ? document : undefined);

beforeAll(async () => {
  keys.ES256 = await LocalSigningKey.generate('ES256');
  keys.EdDSA = await LocalSigningKey.generate('EdDSA');
  holder = await LocalSigningKey.generate('EdDSA');
  document = buildDidWebDocument(DID, [
    { jwk: keys.ES256.publicJwk, status: 'active' },
    { jwk: keys.EdDSA.publicJwk, status: 'retired' },
  ]);
});

const FROM = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
const UNTIL = new Date(FROM.getTime() + 365 * 86_400_000);

function credential(dataModel: DataModel) {
  return buildW3cCredential({
    dataModel,
    issuer: DID,
    types: ['NationalIdCredential'],
    credentialSubject: { given_name: 'Amara', family_name: 'Okafor' },
    subjectId: didJwkFromJwk(holder.publicJwk),
    id: 'urn:uuid:0f0e0d0c-1111-4222-8333-444455556666',
    validFrom: FROM,
    validUntil: UNTIL,
    status: [
      {
        statusPurpose: 'revocation',
        statusListIndex: '7',
        statusListCredential: 'https://issuer.example/status/1',
      },
    ],
  });
}

/** The independent check: jose alone, with the key taken from the DID document by hand. */
async function joseVerify(jwt: string) {
  const { kid } = decodeProtectedHeader(jwt);
  const key = (document.verificationMethod as { id: string }[]).find((m) => m.id === kid);
  expect(key).toBeDefined();
  const signer = Object.values(keys).find((k) => `${DID}#${k.kid}` === kid) as LocalSigningKey;
  return jwtVerify(jwt, await importJWK(signer.publicJwk, signer.alg), { issuer: DID });
}

/** A data-model check written from the specifications, independent of ours. */
function dataModelCheck(
  dataModel: DataModel,
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
) {
  if (dataModel === '2.0') {
    expect(header).toMatchObject({ typ: 'vc+jwt', cty: 'vc' });
    expect(payload['@context']).toEqual(expect.arrayContaining(['https://www.w3.org/ns/credentials/v2']));
    expect((payload['@context'] as string[])[0]).toBe('https://www.w3.org/ns/credentials/v2');
    expect(payload).toMatchObject({ issuer: DID, validFrom: FROM.toISOString().replace('.000', '') });
    expect(payload.type).toContain('VerifiableCredential');
    expect(payload.credentialStatus).toMatchObject({
      type: 'BitstringStatusListEntry',
      statusListIndex: '7',
    });
  } else {
    expect(header.typ).toBe('JWT');
    const vc = payload.vc as Record<string, unknown>;
    expect((vc['@context'] as string[])[0]).toBe('https://www.w3.org/2018/credentials/v1');
    expect(vc.type).toContain('VerifiableCredential');
    // §6.3.1: the registered claims replace these members.
    expect(vc).not.toHaveProperty('issuer');
    expect(vc).not.toHaveProperty('issuanceDate');
    expect(vc).not.toHaveProperty('id');
    expect((vc.credentialSubject as Record<string, unknown>).id).toBeUndefined();
    expect(payload).toMatchObject({
      iss: DID,
      sub: didJwkFromJwk(holder.publicJwk),
      nbf: FROM.getTime() / 1000,
      exp: UNTIL.getTime() / 1000,
      jti: 'urn:uuid:0f0e0d0c-1111-4222-8333-444455556666',
    });
  }
}

const CASES = (['ES256', 'EdDSA'] as const).flatMap((alg) =>
  (['2.0', '1.1'] as const).map((dm) => [alg, dm] as const),
);

describe('the JOSE encodings of a W3C credential', () => {
  it.each(CASES)(
    '%s, VCDM %s: jose verifies it and the data model holds; tampering fails',
    async (alg, dataModel) => {
      const key = keys[alg];
      const jwt = await issueJwtVc({
        credential: credential(dataModel),
        dataModel,
        key,
        kid: `${DID}#${key.kid}`,
      });
      const { payload, protectedHeader } = await joseVerify(jwt);
      expect(protectedHeader.alg).toBe(alg);
      dataModelCheck(
        dataModel,
        protectedHeader as Record<string, unknown>,
        payload as Record<string, unknown>,
      );

      const ours = await verifyJwtVc(jwt, { resolveDid, expectedIssuer: DID });
      expect(ours.dataModel).toBe(dataModel);
      expect(ours.credential.credentialSubject).toMatchObject({
        id: didJwkFromJwk(holder.publicJwk),
        given_name: 'Amara',
      });

      const [h, p, s] = jwt.split('.') as [string, string, string];
      const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
      (dataModel === '2.0' ? claims : claims.vc).credentialSubject.given_name = 'Mallory';
      const tampered = `${h}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.${s}`;
      await expect(joseVerify(tampered)).rejects.toThrow();
      await expect(verifyJwtVc(tampered, { resolveDid })).rejects.toThrow('signature invalid');
    },
  );

  it('refuses a key that is not the issuer’s, an expired credential and a wrong issuer', async () => {
    const stranger = await LocalSigningKey.generate('ES256');
    const strangerDid = `did:key:${(await import('../../../../src/credentials/did/index.js')).jwkToMultibase(stranger.publicJwk)}`;
    const forged = await issueJwtVc({
      credential: credential('2.0'),
      dataModel: '2.0',
      key: stranger,
      kid: `${strangerDid}#${strangerDid.slice(8)}`,
    });
    await expect(verifyJwtVc(forged, { resolveDid })).rejects.toThrow('key does not belong to the issuer');

    const jwt = await issueJwtVc({
      credential: credential('1.1'),
      dataModel: '1.1',
      key: keys.ES256,
      kid: `${DID}#${keys.ES256.kid}`,
    });
    await expect(
      verifyJwtVc(jwt, { resolveDid, now: new Date(UNTIL.getTime() + 86_400_000) }),
    ).rejects.toThrow('expired');
    await expect(verifyJwtVc(jwt, { resolveDid, expectedIssuer: 'did:web:other.example' })).rejects.toThrow(
      'unexpected issuer',
    );
    await expect(verifyJwtVc(jwt)).rejects.toThrow('issuer key not resolvable');
  });
});

/** What the two OpenID4VCI format identifiers issue, as the pipeline calls them. */
describe('jwt_vc_json is VCDM 1.1, vc+jwt is VCDM 2.0', () => {
  const material = () => ({ key: keys.ES256, issuer: 'https://issuer.example', did: DID, certificates: [] });
  const input = (format: 'jwt_vc_json' | 'vc+jwt', dataModel: DataModel) => ({
    configuration: { id: 'c', format, signingAlg: 'ES256' as const },
    document: {
      kind: 'w3c' as const,
      dataModel,
      contexts: [],
      types: ['NationalIdCredential'],
      credentialSubject: { given_name: 'Amara' },
    },
    holderJwk: holder.publicJwk,
    validFrom: FROM,
    validUntil: UNTIL,
  });

  it('jwt_vc_json: the VCDM 1.1 JWT encoding (VCDM 1.1 §6.3.1), as OpenID4VCI 1.0 Appendix A.1.1 reads it', async () => {
    const jwt = (await jwtVcJson.issue(input('jwt_vc_json', '1.1'), material())) as string;
    const { payload, protectedHeader } = await joseVerify(jwt);
    expect(protectedHeader.typ).toBe('JWT');
    const vc = payload.vc as Record<string, unknown>;
    // VCDM 1.1 §4.1: "The value of the @context property MUST be an ordered set where the first item
    // is a URI with the value https://www.w3.org/2018/credentials/v1".
    expect((vc['@context'] as string[])[0]).toBe('https://www.w3.org/2018/credentials/v1');
    expect(payload).toMatchObject({
      iss: DID,
      sub: didJwkFromJwk(holder.publicJwk),
      nbf: FROM.getTime() / 1000,
    });
    expect(payload).not.toHaveProperty('@context');
    expect((await jwtVcJson.verify(jwt, { resolveDid })).format).toBe('jwt_vc_json');
  });

  it('vc+jwt: VCDM 2.0 secured with JOSE (VC-JOSE-COSE §3.1.1)', async () => {
    const jwt = (await vcJwt.issue(input('vc+jwt', '2.0'), material())) as string;
    const { payload, protectedHeader } = await joseVerify(jwt);
    expect(protectedHeader).toMatchObject({ typ: 'vc+jwt', cty: 'vc' });
    expect((payload['@context'] as string[])[0]).toBe('https://www.w3.org/ns/credentials/v2');
    expect(payload).not.toHaveProperty('vc');
    expect((await vcJwt.verify(jwt, { resolveDid })).format).toBe('vc+jwt');
  });

  it('neither issues nor verifies the other data model under its identifier', async () => {
    await expect(jwtVcJson.issue(input('jwt_vc_json', '2.0'), material())).rejects.toThrow(FormatError);
    await expect(vcJwt.issue(input('vc+jwt', '1.1'), material())).rejects.toThrow(FormatError);
    const v2 = await issueJwtVc({
      credential: credential('2.0'),
      dataModel: '2.0',
      key: keys.ES256,
      kid: `${DID}#${keys.ES256.kid}`,
    });
    const v11 = await issueJwtVc({
      credential: credential('1.1'),
      dataModel: '1.1',
      key: keys.ES256,
      kid: `${DID}#${keys.ES256.kid}`,
    });
    expect([jwtVcJson.detect(v2), vcJwt.detect(v2), jwtVcJson.detect(v11), vcJwt.detect(v11)]).toEqual([
      false,
      true,
      true,
      false,
    ]);
    await expect(jwtVcJson.verify(v2, { resolveDid })).rejects.toThrow('not a VCDM 1.1 credential');
    await expect(vcJwt.verify(v11, { resolveDid })).rejects.toThrow('not a VCDM 2.0 credential');
  });

  it('a configuration asking jwt_vc_json for VCDM 2.0 is refused, naming vc+jwt', () => {
    const problems = jwtVcJson.configurationProblems({
      format: 'jwt_vc_json',
      dataModel: '2.0',
      credentialDefinition: { type: ['VerifiableCredential'] },
    });
    expect(problems.join('\n')).toMatch(/dataModel: jwt_vc_json issues VCDM 1\.1 only; .*vc\+jwt/);
    expect(
      vcJwt.configurationProblems({
        format: 'vc+jwt',
        credentialDefinition: { type: ['VerifiableCredential'] },
      }),
    ).toEqual([]);
  });
});
