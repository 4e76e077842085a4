import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildDidWebDocument,
  createDidWebResolver,
  didWebFromUrl,
} from '../../../src/credentials/did/index.js';
import { issueJwtVc } from '../../../src/credentials/formats/jwt-vc-json/issue.js';
import { issueLdpVc } from '../../../src/credentials/formats/ldp-vc/issue.js';
import { issueMdoc } from '../../../src/credentials/formats/mso-mdoc/issue.js';
import { issueSdJwtVc } from '../../../src/credentials/formats/sd-jwt-vc/index.js';
import { createDocumentLoader } from '../../../src/credentials/jsonld/document-loader.js';
import { detectFormat, verifyAnyCredential } from '../../../src/credentials/verify/index.js';
import { buildW3cCredential } from '../../../src/credentials/w3c/credential.js';
import { LocalSigningKey } from '../../../src/platform/keys/index.js';
import { certificateChain } from '../formats/mso-mdoc/helpers.js';

let server: Server;
let did: string;
let served = 0;
let ed: LocalSigningKey;
let es: LocalSigningKey;
let holderJwk: JWK;

beforeAll(async () => {
  ed = await LocalSigningKey.generate('EdDSA');
  es = await LocalSigningKey.generate('ES256');
  holderJwk = await exportJWK((await generateKeyPair('ES256')).publicKey);
  server = createServer((request, response) => {
    if (request.url !== '/.well-known/did.json') return response.writeHead(404).end();
    served++;
    response.writeHead(200, { 'content-type': 'application/did+json' });
    response.end(JSON.stringify(buildDidWebDocument(did, [{ jwk: ed.publicJwk }, { jwk: es.publicJwk }])));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  did = didWebFromUrl(`http://localhost:${(server.address() as AddressInfo).port}`);
});

afterAll(() => new Promise((resolve) => server.close(resolve)));

const credential = (dataModel: '1.1' | '2.0' = '2.0') =>
  buildW3cCredential({
    dataModel,
    issuer: did,
    types: ['ExampleCredential'],
    credentialSubject: { given_name: 'Amara' },
    validFrom: new Date(Date.now() - 60_000),
  });

describe('verifyAnyCredential with a did:web resolver over HTTP', () => {
  it('detects and verifies each format', async () => {
    const resolveDid = createDidWebResolver({ trusted: (d) => d === did });
    const ldp = await issueLdpVc({
      credential: credential(),
      suite: 'eddsa-rdfc-2022',
      key: ed,
      verificationMethod: `${did}#${ed.kid}`,
      documentLoader: createDocumentLoader(),
    });
    const jwt = await issueJwtVc({
      credential: credential('1.1'),
      dataModel: '1.1',
      key: es,
      kid: `${did}#${es.kid}`,
    });
    const vcJwt = await issueJwtVc({
      credential: credential(),
      dataModel: '2.0',
      key: es,
      kid: `${did}#${es.kid}`,
    });
    const now = Math.floor(Date.now() / 1000);
    const sdJwt = await issueSdJwtVc({
      issuerKey: es,
      issuer: 'https://issuer.example',
      vct: 'urn:example:1',
      claims: { given_name: 'Amara' },
      disclosable: ['given_name'],
      holderJwk,
      iat: now,
      exp: now + 600,
    });
    const chain = await certificateChain();
    const mdoc = await issueMdoc({
      docType: 'org.example.card',
      namespaces: { 'org.example': { given_name: 'Amara' } },
      signer: chain.signer,
      certificates: [chain.ds],
      holderJwk,
      validFrom: new Date(Date.now() - 60_000),
      validUntil: new Date(Date.now() + 600_000),
    });
    expect([ldp, jwt, vcJwt, sdJwt, mdoc].map(detectFormat)).toEqual([
      'ldp_vc',
      'jwt_vc_json',
      'vc+jwt',
      'dc+sd-jwt',
      'mso_mdoc',
    ]);
    const options = {
      resolveDid,
      sdJwtIssuerJwks: { keys: [es.publicJwk] },
      trustedCertificates: [chain.iaca],
    };
    expect(await verifyAnyCredential(ldp, options)).toMatchObject({
      format: 'ldp_vc',
      issuer: did,
      claims: { given_name: 'Amara' },
    });
    expect(await verifyAnyCredential(jwt, options)).toMatchObject({ format: 'jwt_vc_json', issuer: did });
    expect(await verifyAnyCredential(vcJwt, options)).toMatchObject({ format: 'vc+jwt', issuer: did });
    expect(await verifyAnyCredential(sdJwt, options)).toMatchObject({
      format: 'dc+sd-jwt',
      issuer: 'https://issuer.example',
      claims: { vct: 'urn:example:1', given_name: 'Amara' },
    });
    expect(await verifyAnyCredential(mdoc, options)).toMatchObject({
      format: 'mso_mdoc',
      claims: { 'org.example': { given_name: 'Amara' } },
    });
    await expect(verifyAnyCredential({ nope: true }, options)).rejects.toThrow(
      'not a credential in a supported format',
    );
  });

  it('never fetches a DID the caller does not trust', async () => {
    const before = served;
    const resolveDid = createDidWebResolver({ trusted: () => false });
    const jwt = await issueJwtVc({
      credential: credential(),
      dataModel: '2.0',
      key: es,
      kid: `${did}#${es.kid}`,
    });
    await expect(verifyAnyCredential(jwt, { resolveDid })).rejects.toThrow('issuer key not resolvable');
    expect(served).toBe(before);
  });
});
