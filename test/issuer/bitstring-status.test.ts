import { readFileSync } from 'node:fs';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { checkStatus } from '@digitalbazaar/vc-bitstring-status-list';
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createDocumentLoader } from '../../src/credentials/jsonld/document-loader.js';
import { ApiKeyStore } from '../../src/issuer/admin/index.js';
import { issueOne, issuerBehindForeignAsForFile } from './helpers/issue-credential.js';

const server = issuerBehindForeignAsForFile();
let apiKey: string;

beforeAll(async () => {
  apiKey = (await new ApiKeyStore(server.database.db).create('bitstring test')).key;
});

/** The credential of an issuance to a fresh Ed25519 holder key. */
function issue(configurationId: string): Promise<unknown> {
  return issueOne(server, configurationId, { holderAlg: 'EdDSA' });
}

/**
 * What an independent verifier does: the status list credential fetched over HTTP, the issuer's
 * did:web document fetched from /.well-known/did.json, contexts from the offline allow-list.
 */
const contexts = createDocumentLoader();
async function documentLoader(url: string) {
  if (url.startsWith(`${server.issuer.url}/status/`)) {
    const response = await fetch(url);
    // `application/vc`: the media type VCDM 2.0 registers (IANA) for a credential as JSON-LD.
    expect(response.headers.get('content-type')?.split(';')[0]).toBe('application/vc');
    return { contextUrl: null, documentUrl: url, document: await response.json() };
  }
  if (url.startsWith('did:web:')) {
    const document = (await (await fetch(`${server.issuer.url}/.well-known/did.json`)).json()) as {
      id: string;
      '@context': unknown;
      verificationMethod: { id: string }[];
    };
    expect(url.split('#')[0]).toBe(document.id);
    if (!url.includes('#')) return { contextUrl: null, documentUrl: url, document };
    const method = document.verificationMethod.find((m) => m.id === url);
    return { contextUrl: null, documentUrl: url, document: { '@context': document['@context'], ...method } };
  }
  return contexts(url);
}

async function statuses(credential: unknown): Promise<Record<string, number>> {
  const result = await checkStatus({
    credential,
    documentLoader,
    suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }),
    verifyBitstringStatusListCredential: true,
    verifyMatchingIssuers: true,
  });
  expect(result.error).toBeUndefined();
  expect(result.verified).toBe(true);
  return Object.fromEntries(
    (result.results as { credentialStatus: { statusPurpose: string }; status: number }[]).map((r) => [
      r.credentialStatus.statusPurpose,
      Number(r.status),
    ]),
  );
}

async function setStatus(credentialId: string, status: string, expected = 200) {
  const response = await fetch(`${server.issuer.url}/admin/credentials/${credentialId}/status`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
  });
  expect(response.status).toBe(expected);
  return response.json() as Promise<Record<string, unknown>>;
}

/** A VCDM 1.1 JWT (§6.3.1) as the credential it encodes: `iss` is the issuer, `jti` the id. */
function decodedV11(jwt: string) {
  const { vc, iss, jti } = decodeJwt(jwt) as { vc: Record<string, unknown>; iss: string; jti: string };
  return { ...vc, id: jti, issuer: iss } as unknown as { id: string; credentialStatus: unknown };
}

describe('W3C Bitstring Status List', () => {
  it('ldp_vc: revocation and suspension entries, seen by @digitalbazaar/vc-bitstring-status-list', async () => {
    const credential = (await issue('national_id_ldp_vc')) as {
      id: string;
      credentialStatus: { statusPurpose: string; statusListCredential: string }[];
    };
    expect(credential.credentialStatus.map((s) => s.statusPurpose).sort()).toEqual([
      'revocation',
      'suspension',
    ]);
    expect(await statuses(credential)).toEqual({ revocation: 0, suspension: 0 });

    await setStatus(credential.id, 'suspended');
    expect(await statuses(credential)).toEqual({ revocation: 0, suspension: 1 });
    await setStatus(credential.id, 'valid');
    expect(await statuses(credential)).toEqual({ revocation: 0, suspension: 0 });
    await setStatus(credential.id, 'revoked');
    expect(await statuses(credential)).toEqual({ revocation: 1, suspension: 0 });

    const list = await fetch(credential.credentialStatus[0]?.statusListCredential as string);
    expect(list.headers.get('cache-control')).toBe('public, max-age=5');
    const body = (await list.json()) as {
      credentialSubject: { encodedList: string };
      proof: { cryptosuite: string };
    };
    expect(body.proof.cryptosuite).toBe('eddsa-rdfc-2022');
    // GZIP of 131,072 bits, multibase base64url.
    expect(body.credentialSubject.encodedList.startsWith('uH4sI')).toBe(true);
  });

  it('jwt_vc_json: the same list as a vc+jwt on request, signed by a key of the did:web document', async () => {
    const credential = (await issue('national_id_jwt_vc')) as string;
    const payload = decodeJwt(credential) as {
      credentialStatus?: unknown;
      vc?: { credentialStatus?: unknown };
    };
    const status = (payload.credentialStatus ?? payload.vc?.credentialStatus) as {
      statusListCredential: string;
    };
    const url = status.statusListCredential;
    const response = await fetch(url, { headers: { accept: 'application/vc+jwt' } });
    expect(response.headers.get('content-type')).toBe('application/vc+jwt');
    const jwt = await response.text();
    const { kid } = decodeProtectedHeader(jwt);
    const did = (await (await fetch(`${server.issuer.url}/.well-known/did.json`)).json()) as {
      assertionMethod: string[];
    };
    // The kid is a DID URL of an assertion key; its fragment is the RFC 7638 thumbprint of the JWK
    // the issuer also publishes in its JWT VC issuer metadata.
    expect(did.assertionMethod).toContain(kid);
    const { jwks } = (await (await fetch(`${server.issuer.url}/.well-known/jwt-vc-issuer`)).json()) as {
      jwks: { keys: JWK[] };
    };
    const jwk = jwks.keys.find((k) => k.kid === kid?.split('#')[1]);
    expect(jwk).toBeDefined();
    await compactVerify(jwt, createLocalJWKSet({ keys: [{ ...jwk, kid } as JWK] }));
    expect(decodeJwt(jwt)).toMatchObject({ type: ['VerifiableCredential', 'BitstringStatusListCredential'] });
  });

  it('jwt_vc_json (VCDM 1.1): one credentialStatus object, for revocation; no suspension to set', async () => {
    const credential = decodedV11((await issue('national_id_jwt_vc')) as string);
    // VCDM 1.1 §4.9: `credentialStatus` "MUST include" `id` and `type`; one object, as 1.1 verifiers read it.
    expect(Array.isArray(credential.credentialStatus)).toBe(false);
    expect(credential.credentialStatus).toMatchObject({
      id: expect.any(String),
      type: 'BitstringStatusListEntry',
      statusPurpose: 'revocation',
      statusListIndex: expect.stringMatching(/^\d+$/),
    });
    expect(await statuses(credential)).toEqual({ revocation: 0 });
    expect(await setStatus(credential.id, 'suspended', 409)).toEqual({
      error: 'conflict',
      error_description: 'the credential has no suspension entry (its configuration issues revocation only)',
    });
    // The refused suspension left the ledger as it was: the credential is still valid, then revoked.
    expect(await setStatus(credential.id, 'revoked')).toMatchObject({ status: 'revoked', previous: 'valid' });
    expect(await statuses(credential)).toEqual({ revocation: 1 });
  });

  it('jwt_vc_json with `suspension: true`: a revocation and a suspension entry', async () => {
    const demo = JSON.parse(readFileSync('config/demo/configurations/national_id_jwt_vc.json', 'utf8'));
    const created = await fetch(`${server.issuer.url}/admin/configurations`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        ...demo,
        id: 'suspendable_id',
        credentialDefinition: { type: ['VerifiableCredential', 'SuspendableIdCredential'] },
        suspension: true,
      }),
    });
    expect(created.status).toBe(201);
    let jwt: string | undefined;
    for (let tries = 0; !jwt && tries < 40; tries++) {
      const response = await fetch(`${server.issuer.url}/.well-known/openid-credential-issuer`);
      const metadata = (await response.json()) as { credential_configurations_supported: object };
      if ('suspendable_id' in metadata.credential_configurations_supported)
        jwt = (await issue('suspendable_id')) as string;
      else await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const credential = decodedV11(jwt as string);
    expect((credential.credentialStatus as { statusPurpose: string }[]).map((s) => s.statusPurpose)).toEqual([
      'revocation',
      'suspension',
    ]);
    await setStatus(credential.id, 'suspended');
    expect(await statuses(credential)).toEqual({ revocation: 0, suspension: 1 });
  });
});
