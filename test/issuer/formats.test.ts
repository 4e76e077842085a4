import { randomBytes, X509Certificate } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { verifyJwtVc } from '../../src/credentials/formats/jwt-vc-json/verify.js';
import { verifyLdpVc } from '../../src/credentials/formats/ldp-vc/verify.js';
import { integrityOf, verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import { createDocumentLoader } from '../../src/credentials/jsonld/document-loader.js';
import { type IssuerTables, issuerMigrations } from '../../src/issuer/database.js';
import {
  FormatError,
  type IssuerFormats,
  issuerDidDocument,
  type SignInput,
  setupIssuerFormats,
} from '../../src/issuer/formats/index.js';
import { ActiveKeys, W3C_KEY_PURPOSE } from '../../src/issuer/formats/keys.js';
import { type Database, migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { KeyStore, MasterKey } from '../../src/platform/keys/index.js';
import { createServer } from '../../src/platform/server.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { signInputs } from '../helpers/sign-inputs.js';

const PUBLIC_URL = 'https://issuer.example:8443';
const DID = 'did:web:issuer.example%3A8443';
const masterKey = new MasterKey(randomBytes(32));
const NOW = new Date(Math.floor(Date.now() / 3600_000) * 3600_000);
const UNTIL = new Date(NOW.getTime() + 86_400_000);

describe.each(DIALECTS)('issuer formats on $dialect', ({ dialect, create }) => {
  let testDb: TestDatabase | undefined;
  const open: Database<IssuerTables>[] = [];
  let db: Kysely<IssuerTables>;
  let keys: KeyStore;

  function connect(url: string): Kysely<IssuerTables> {
    const database = openDatabase<IssuerTables>(url);
    open.push(database);
    return database.db;
  }

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    db = connect(testDb.url);
    await migrateToLatest(db as Kysely<unknown>, 'issuer', issuerMigrations);
    keys = new KeyStore(db, masterKey);
  });

  afterEach(async () => {
    for (const database of open.splice(0)) await database.close();
    await testDb?.drop();
  });

  const setup = (handle: Kysely<IssuerTables> = db, store: KeyStore = keys) =>
    setupIssuerFormats({ db: handle as Kysely<unknown>, keys: store, publicUrl: PUBLIC_URL });

  it('creates the IACA root and document signer on first start; a second instance reuses them', async () => {
    const first = await setup();
    const other = connect(testDb?.url as string);
    const second = await setup(other, new KeyStore(other, masterKey));
    expect(second.iaca.equals(first.iaca)).toBe(true);

    const iaca = new X509Certificate(first.iaca);
    expect(iaca.ca).toBe(true);
    expect(iaca.subject).toContain('C=XA');
    expect(iaca.verify(iaca.publicKey)).toBe(true);
    // The published PEM is the stored root.
    const app = createServer({ service: 'issuer', logLevel: 'warn', validationErrorCode: 'invalid_request' });
    first.registerRoutes(app, { get: async () => undefined, list: async () => [] });
    const pem = await app.inject({ method: 'GET', url: '/mdoc/iaca.pem' });
    expect(pem.headers['content-type']).toContain('application/x-pem-file');
    expect(new X509Certificate(pem.body).fingerprint256).toBe(iaca.fingerprint256);
    await app.close();
  });

  it('the document signer certificate chains to the IACA and carries the mDL DS extended key usage', async () => {
    const formats = await setup();
    const credential = (await formats.signers.get('mso_mdoc').sign(mdocInput())) as string;
    const { IssuerSigned } = await import('@owf/mdoc');
    const [dsDer] = IssuerSigned.fromEncodedForOid4Vci(credential).issuerAuth.certificateChain;
    const ds = new X509Certificate(dsDer as Uint8Array);
    const iaca = new X509Certificate(formats.iaca);
    expect(ds.checkIssued(iaca)).toBe(true);
    expect(ds.verify(iaca.publicKey)).toBe(true);
    expect(ds.ca).toBe(false);
    // ISO/IEC 18013-5 Annex B.1.4: the mdoc signer's extended key usage.
    expect(ds.keyUsage).toContain('1.0.18013.5.1.2');
  });

  it('did.json lists every key, retired ones too: a credential signed before a rotation still verifies', async () => {
    const formats = await setup();
    const before = await formats.signers.get('ldp_vc').sign(w3cInput('ldp_vc'));
    const jwtBefore = (await formats.signers.get('jwt_vc_json').sign(w3cInput('jwt_vc_json'))) as string;
    // Rotation: a newer key of the same purpose; the old one stays in the store (and the document).
    await keys.create(W3C_KEY_PURPOSE.EdDSA, 'EdDSA');
    await keys.create(W3C_KEY_PURPOSE.ES256, 'ES256');
    const app = createServer({ service: 'issuer', logLevel: 'warn', validationErrorCode: 'invalid_request' });
    formats.registerRoutes(app, { get: async () => undefined, list: async () => [] });
    const response = await app.inject({ method: 'GET', url: '/.well-known/did.json' });
    await app.close();
    expect(response.headers['content-type']).toContain('application/did+json');
    expect(response.headers['access-control-allow-origin']).toBe('*');
    const document = JSON.parse(response.body) as {
      id: string;
      verificationMethod: { id: string; type: string }[];
    };
    expect(document.id).toBe(DID);
    // Two W3C EdDSA and two W3C ES256 keys (each purpose rotated once).
    expect(document.verificationMethod.filter((m) => m.type === 'Multikey').length).toBeGreaterThanOrEqual(4);
    for (const method of document.verificationMethod) expect(method.id.startsWith(`${DID}#`)).toBe(true);

    const resolveDid = async (did: string) =>
      did === DID ? (document as Record<string, unknown>) : undefined;
    await expect(
      verifyLdpVc(before, { documentLoader: createDocumentLoader({ resolveDid }) }),
    ).resolves.toMatchObject({
      issuer: DID,
    });
    await expect(verifyJwtVc(jwtBefore, { resolveDid })).resolves.toMatchObject({ issuer: DID });
  });

  it('dc+sd-jwt: vct#integrity matches the served type metadata; vc+sd-jwt is the same credential with the older typ', async () => {
    const formats = await setup();
    const typeMetadata = { vct: 'urn:example:id:1', name: 'Example ID', claims: [] };
    const configuration = {
      id: 'id_sd_jwt',
      format: 'dc+sd-jwt' as const,
      vct: 'urn:example:id:1',
      typeMetadata,
      decoys: 1,
    };
    const signer = formats.signers.get('dc+sd-jwt');
    const credential = (await signer.sign({ ...sdJwtInput(), configuration })) as string;
    const jwks = { keys: (await keys.publicJwks('issuer-sd-jwt')).keys };
    const verified = await verifySdJwtVc(credential, { issuerJwks: jwks });
    expect(verified.header.typ).toBe('dc+sd-jwt');
    expect(verified.payload.status).toEqual({
      status_list: { idx: 12, uri: 'https://issuer.example/status/token/1' },
    });

    const app = createServer({ service: 'issuer', logLevel: 'warn', validationErrorCode: 'invalid_request' });
    formats.registerRoutes(app, {
      get: async (id) => (id === 'id_sd_jwt' ? ({ ...configuration } as never) : undefined),
      list: async () => [],
    });
    const served = await app.inject({ method: 'GET', url: '/type-metadata/id_sd_jwt' });
    const missing = await app.inject({ method: 'GET', url: '/type-metadata/nope' });
    await app.close();
    expect(served.statusCode).toBe(200);
    expect(verified.payload['vct#integrity']).toBe(integrityOf(served.body));
    expect(missing.statusCode).toBe(404);
    expect(JSON.parse(missing.body)).toEqual({ error: 'not_found', error_description: 'no type metadata' });

    const legacy = (await formats.signers
      .get('vc+sd-jwt')
      .sign({ ...sdJwtInput(), configuration: { ...configuration, format: 'vc+sd-jwt' } })) as string;
    expect((await verifySdJwtVc(legacy, { issuerJwks: jwks })).header.typ).toBe('vc+sd-jwt');
  });

  it('each signer refuses a document of another kind; metadata names each format’s members', async () => {
    const formats = await setup();
    await expect(
      formats.signers.get('ldp_vc').sign({ ...sdJwtInput(), configuration: { id: 'x', format: 'ldp_vc' } }),
    ).rejects.toBeInstanceOf(FormatError);
    await expect(formats.signers.get('mso_mdoc').sign({ ...w3cInput('mso_mdoc') })).rejects.toThrow(
      'x: an mdoc needs namespaces',
    );
    // Without a portrait (filled with the placeholder) and without document_number (refused).
    const elements = (mdocInput().document as { namespaces: Record<string, Record<string, unknown>> })
      .namespaces['org.iso.18013.5.1'] as Record<string, unknown>;
    const { document_number: _d, ...incomplete } = elements;
    await expect(
      formats.signers.get('mso_mdoc').sign({
        ...mdocInput(),
        document: {
          kind: 'mdoc',
          docType: 'org.iso.18013.5.1.mDL',
          namespaces: { 'org.iso.18013.5.1': incomplete },
        },
      }),
    ).rejects.toThrow('mdl: mDL lacks mandatory elements: document_number');
    expect(
      formats.signers.metadata({ id: 'm', format: 'mso_mdoc', doctype: 'org.iso.18013.5.1.mDL' }),
    ).toEqual({
      doctype: 'org.iso.18013.5.1.mDL',
      cryptographic_binding_methods_supported: ['cose_key'],
      credential_signing_alg_values_supported: [-7],
    });
    expect(
      formats.signers.metadata({
        id: 'l',
        format: 'ldp_vc',
        proofSuite: 'ecdsa-rdfc-2019',
        dataModel: '1.1',
        credentialDefinition: { type: ['VerifiableCredential', 'X'] },
      }),
    ).toEqual({
      credential_definition: {
        '@context': [
          'https://www.w3.org/2018/credentials/v1',
          'https://www.w3.org/ns/credentials/undefined-terms/v2',
          'https://www.w3.org/ns/credentials/status/v1',
        ],
        type: ['VerifiableCredential', 'X'],
      },
      cryptographic_binding_methods_supported: ['did:jwk'],
      credential_signing_alg_values_supported: ['ecdsa-rdfc-2019'],
    });
    expect(() => formats.signers.get('fancy' as never)).toThrow('no signer for format fancy');
  });

  it('the DID document helper matches the route', async () => {
    const formats: IssuerFormats = await setup();
    const document = await issuerDidDocument(formats.did, keys);
    expect(document.id).toBe(DID);
  });
});

describe('ActiveKeys', () => {
  it('re-reads the active key at most once a minute (a rotation elsewhere is seen within a minute)', async () => {
    const reads: string[] = [];
    let now = 0;
    const fake = {
      ensureSigning: async (purpose: string) => {
        reads.push(purpose);
        return { key: { kid: `k${reads.length}` } };
      },
    } as unknown as KeyStore;
    const active = new ActiveKeys(fake, () => now);
    expect((await active.get('p', 'EdDSA')).kid).toBe('k1');
    now = 59_000;
    expect((await active.get('p', 'EdDSA')).kid).toBe('k1');
    now = 60_000;
    expect((await active.get('p', 'EdDSA')).kid).toBe('k2');
  });
});

let holderJwk: Record<string, unknown> | undefined;
async function holder() {
  holderJwk ??= (await exportJWK((await generateKeyPair('ES256')).publicKey)) as Record<string, unknown>;
  return holderJwk;
}
await holder();

/** The issuer's dc+sd-jwt and mso_mdoc sign inputs for the holder, valid from NOW to UNTIL. */
const sdJwtInput = () => signInputs(holderJwk as JWK, NOW, UNTIL).sdJwt;
const mdocInput = () => signInputs(holderJwk as JWK, NOW, UNTIL).mdoc;

function w3cInput(format: 'ldp_vc' | 'jwt_vc_json' | 'mso_mdoc'): SignInput {
  // jwt_vc_json is the VCDM 1.1 JWT encoding (OpenID4VCI 1.0 Appendix A.1.1).
  const dataModel = format === 'jwt_vc_json' ? '1.1' : '2.0';
  return {
    configuration: { id: 'x', format, dataModel, proofSuite: 'eddsa-rdfc-2022', signingAlg: 'EdDSA' },
    document: {
      kind: 'w3c',
      dataModel,
      contexts: [],
      types: ['NationalIdCredential'],
      credentialSubject: { given_name: 'Amara' },
    },
    holderJwk: holderJwk as never,
    validFrom: NOW,
    validUntil: UNTIL,
    status: [
      {
        kind: 'bitstring-status-list',
        statusPurpose: 'revocation',
        statusListIndex: '5',
        statusListCredential: 'https://issuer.example/status/bitstring/1',
      },
    ],
  };
}
