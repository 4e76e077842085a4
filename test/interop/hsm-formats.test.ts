import { join } from 'node:path';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as ecdsaRdfc2019 } from '@digitalbazaar/ecdsa-rdfc-2019-cryptosuite';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { decodeProtectedHeader, exportJWK, generateKeyPair, importJWK, type JWK, jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveDidUrlToJwk } from '../../src/credentials/did/index.js';
import { createDocumentLoader } from '../../src/credentials/jsonld/document-loader.js';
import { issuerMigrations } from '../../src/issuer/database.js';
import { type IssuerFormats, issuerDidDocument, setupIssuerFormats } from '../../src/issuer/formats/index.js';
import { SD_JWT_KEY_PURPOSE } from '../../src/issuer/formats/keys.js';
import { migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import {
  type KeyBackends,
  KeyStore,
  type KeyTables,
  MasterKey,
  openKeyBackends,
  signCompactJws,
} from '../../src/platform/keys/index.js';
import { derToPem } from '../../src/platform/keys/x509/index.js';
import { verifyWithAuth0 } from '../credentials/formats/mso-mdoc/helpers.js';
import { MDL_DOCTYPE, MDL_NAMESPACE, signInputs } from '../helpers/sign-inputs.js';
import { createSoftHsmToken, isSoftHsmAvailable, type SoftHsmToken } from '../helpers/softhsm.js';

const available = isSoftHsmAvailable();
const PUBLIC_URL = 'https://issuer.example';
const HSM_PURPOSES = [
  'issuer-sd-jwt',
  'issuer-w3c-es256',
  'issuer-w3c-eddsa',
  'issuer-mdoc-ds',
  'issuer-mdoc-iaca',
];

/**
 * Every format signed in SoftHSM2 over PKCS#11, each checked by an independent library from the
 * public material a verifier has: @sd-jwt/sd-jwt-vc, jose, @digitalbazaar/vc, @auth0/mdl.
 */
describe.skipIf(!available)('credentials signed in an HSM verify with independent libraries', () => {
  let softhsm: SoftHsmToken;
  let backends: KeyBackends;
  let close: () => Promise<void>;
  let keys: KeyStore;
  let formats: IssuerFormats;
  let holder: { privateJwk: JWK; publicJwk: JWK };
  let inputs: ReturnType<typeof signInputs>;

  beforeAll(async () => {
    softhsm = createSoftHsmToken();
    process.env.TEST_FORMATS_PIN = softhsm.pin;
    backends = await openKeyBackends({
      pkcs11: {
        module: softhsm.module,
        tokenLabel: softhsm.tokenLabel,
        pin: { env: 'TEST_FORMATS_PIN' },
        purposes: HSM_PURPOSES,
      },
    });
    const database = openDatabase<KeyTables>(`sqlite:${join(softhsm.dir, 'issuer.sqlite')}`);
    close = database.close;
    await migrateToLatest(database.db as Kysely<unknown>, 'issuer', issuerMigrations);
    keys = new KeyStore(database.db, new MasterKey(Buffer.alloc(32, 5)));
    formats = await setupIssuerFormats({ db: database.db as Kysely<unknown>, keys, publicUrl: PUBLIC_URL });
    // The issuer makes its SD-JWT VC / status list key at start-up (src/issuer/service.ts).
    await keys.ensureActive(SD_JWT_KEY_PURPOSE, 'ES256');
    const pair = await generateKeyPair('ES256', { extractable: true });
    holder = { privateJwk: await exportJWK(pair.privateKey), publicJwk: await exportJWK(pair.publicKey) };
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    inputs = signInputs(holder.publicJwk, new Date(hour), new Date(hour + 86_400_000));
  });
  afterAll(async () => {
    await close?.();
    backends?.close();
    softhsm?.cleanup();
  });

  it('every issuer signing key lives in the token', async () => {
    const records = await keys.records();
    for (const purpose of HSM_PURPOSES) {
      const record = records.find((r) => r.purpose === purpose && r.lifecycle.state === 'signing');
      expect(record?.backend, purpose).toBe('pkcs11');
    }
  });

  it('dc+sd-jwt (ES256): @sd-jwt/sd-jwt-vc verifies it with the key of the issuer metadata', async () => {
    // (Without its status reference: this verifier would fetch the list from the issuer URL.)
    const credential = (await formats.signers
      .get('dc+sd-jwt')
      .sign({ ...inputs.sdJwt, status: undefined })) as string;
    const { keys: published } = await keys.publicJwks(SD_JWT_KEY_PURPOSE);
    const key = published.find((k) => k.kid === decodeProtectedHeader(credential).kid) as JsonWebKey;
    const library = new SDJwtVcInstance({
      hasher: digest,
      verifier: async (data, signature) => (await ES256.getVerifier(key))(data, signature),
    });
    const { payload } = await library.verify(credential);
    expect(payload).toMatchObject({ iss: PUBLIC_URL, given_name: 'Amara', vct: 'urn:example:id:1' });
  });

  it.each(['ES256', 'EdDSA'] as const)(
    'jwt_vc_json (%s): jose verifies it with the did:web key',
    async (alg) => {
      const jwt = (await formats.signers.get('jwt_vc_json').sign(inputs.w3c('jwt_vc_json', alg))) as string;
      const { kid } = decodeProtectedHeader(jwt);
      const document = await issuerDidDocument(formats.did, keys);
      const method = (document.verificationMethod as { id: string; publicKeyMultibase: string }[]).find(
        (m) => m.id === kid,
      );
      const jwk = resolveDidUrlToJwk(`did:key:${method?.publicKeyMultibase}`);
      const { payload } = await jwtVerify(jwt, await importJWK(jwk, alg), { issuer: formats.did });
      // VCDM 1.1 §6.3.1: the credential is in the `vc` claim.
      expect((payload.vc as { type: string[] }).type).toContain('VerifiableCredential');
    },
  );

  it.each([
    ['eddsa-rdfc-2022', 'EdDSA', eddsaRdfc2022],
    ['ecdsa-rdfc-2019', 'ES256', ecdsaRdfc2019],
  ] as const)(
    'ldp_vc (%s): @digitalbazaar/vc verifies it through the did:web document',
    async (_suite, alg, cryptosuite) => {
      const credential = (await formats.signers.get('ldp_vc').sign(inputs.w3c('ldp_vc', alg))) as Record<
        string,
        unknown
      >;
      const document = await issuerDidDocument(formats.did, keys);
      const documentLoader = createDocumentLoader({
        resolveDid: async (did) => (did === document.id ? document : undefined),
      });
      const result = await vc.verifyCredential({
        credential,
        suite: new DataIntegrityProof({ cryptosuite }),
        documentLoader,
      });
      expect(result.error).toBeUndefined();
      expect(result.verified).toBe(true);
    },
  );

  it('mso_mdoc: @auth0/mdl verifies it against the IACA root, both keys in the token', async () => {
    const credential = (await formats.signers.get('mso_mdoc').sign(inputs.mdoc)) as string;
    await verifyWithAuth0(credential, {
      docType: MDL_DOCTYPE,
      namespace: MDL_NAMESPACE,
      elements: ['family_name', 'given_name'],
      holderPrivateJwk: holder.privateJwk,
      iacaPem: derToPem(formats.iaca),
    });
  });

  it('a status list token signed in the token verifies with jose', async () => {
    const key = await keys.ensureActive(SD_JWT_KEY_PURPOSE, 'ES256');
    const token = await signCompactJws(key, { typ: 'statuslist+jwt' }, { sub: `${PUBLIC_URL}/status/1` });
    const { payload } = await jwtVerify(token, await importJWK(key.publicJwk, 'ES256'));
    expect(payload.sub).toBe(`${PUBLIC_URL}/status/1`);
  });
});
