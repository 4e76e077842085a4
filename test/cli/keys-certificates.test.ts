import { execFileSync } from 'node:child_process';
import { createPrivateKey, createPublicKey, X509Certificate } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { digest, ES256 } from '@sd-jwt/crypto-nodejs';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK, jwtVerify } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keysCommand } from '../../src/cli/keys.js';
import { issuerMigrations } from '../../src/issuer/database.js';
import { setupIssuerFormats } from '../../src/issuer/formats/index.js';
import { ISSUANCE_MIGRATION_SET, issuanceMigrations } from '../../src/issuer/issuance/database.js';
import { createIssuerService } from '../../src/issuer/service.js';
import { StatusAllocator, StatusPermutations } from '../../src/issuer/status/index.js';
import type { Config } from '../../src/platform/config/index.js';
import { migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { KeyStore, LocalSigningKey, loadMasterKey } from '../../src/platform/keys/index.js';
import { createCertificate, derToPem } from '../../src/platform/keys/x509/index.js';
import { SqlIdentityRegistry } from '../../src/platform/registry/index.js';
import { createServer } from '../../src/platform/server.js';
import { verifyWithAuth0 } from '../credentials/formats/mso-mdoc/helpers.js';
import { killGroup, spawnCollecting } from '../helpers/processes.js';
import { MDL_DOCTYPE, MDL_NAMESPACE, signInputs } from '../helpers/sign-inputs.js';
import { testConfig } from '../helpers/system.js';

/**
 * The issuer's CA is OpenSSL here (an independent implementation): it signs our CSR the way an
 * operator's CA would, with the ISO/IEC 18013-5 document-signer extensions.
 */
let config: Config;
let dir: string;
let configFile: string;

const file = (name: string) => join(dir, name);
function openssl(...args: string[]): string {
  return execFileSync('openssl', args, { cwd: dir, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
async function keys(...args: string[]) {
  const lines: string[] = [];
  const code = await keysCommand([...args, '--config', configFile], (line) => lines.push(line));
  return { code, text: lines.join('\n') };
}
/** A CA: key and self-signed root with the IACA profile (B.1.2). */
function makeCa(name: string) {
  openssl('ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', `${name}.key`);
  openssl(
    'req',
    '-x509',
    '-new',
    '-key',
    `${name}.key`,
    '-subj',
    `/C=XA/O=Road Authority/CN=${name}`,
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    `${name}.pem`,
  );
}
/**
 * The CA signs a CSR with the given extensions (`openssl ca`, so the validity can start before the
 * issuance hour as a CA's does: the MSO is signed at the rounded-down hour).
 */
function sign(ca: string, csr: string, out: string, extensions: string, days = 365) {
  writeFileSync(file(`${out}.ext`), extensions);
  writeFileSync(file(`${ca}.index`), '');
  writeFileSync(
    file(`${ca}.cnf`),
    `[ca]\ndefault_ca = d\n[d]\ndatabase = ${ca}.index\nnew_certs_dir = .\nserial = ${ca}.serial\ndefault_md = sha256\npolicy = p\nunique_subject = no\n[p]\ncountryName = optional\norganizationName = optional\ncommonName = supplied\n`,
  );
  writeFileSync(
    file(`${ca}.serial`),
    `${Math.floor(Math.random() * 1e9)
      .toString(16)
      .padStart(8, '0')}\n`,
  );
  const start = new Date(Date.now() - 86_400_000).toISOString().replace(/[-:T]/g, '').slice(2, 14);
  openssl(
    'ca',
    '-batch',
    '-config',
    `${ca}.cnf`,
    '-in',
    csr,
    '-cert',
    `${ca}.pem`,
    '-keyfile',
    `${ca}.key`,
    '-startdate',
    `${start}Z`,
    '-days',
    String(days),
    '-extfile',
    `${out}.ext`,
    '-notext',
    '-out',
    `${out}.pem`,
  );
  return `${out}.pem`;
}
const DS_EXTENSIONS =
  'keyUsage=critical,digitalSignature\nextendedKeyUsage=critical,1.0.18013.5.1.2\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n';
const bundle = (name: string, ...pems: string[]) => {
  writeFileSync(file(name), pems.map((p) => readFileSync(file(p), 'utf8')).join(''));
  return file(name);
};
/** `attesta keys import-chain issuer`: the PEM files given (leaf first) bundled into `name`. */
const importChain = (purpose: string, name: string, ...pems: string[]) =>
  keys('import-chain', 'issuer', '--purpose', purpose, '--chain', bundle(name, ...pems));
/** `attesta keys csr issuer`: a PKCS#10 request for the key of `purpose`, written to `out`. */
const csr = (purpose: string, subject: string, out: string) =>
  keys('csr', 'issuer', '--purpose', purpose, '--subject', subject, '--out', file(out));
/** The one certificate of a JWS `x5c` header (RFC 7515 §4.1.6: base64 DER, not base64url). */
const x5cLeaf = (x5c: unknown) => new X509Certificate(Buffer.from((x5c as string[])[0] as string, 'base64'));
/** Whether `der` is the certificate in the PEM file `name`. */
const isCertificate = (der: Uint8Array | undefined, name: string) =>
  Buffer.from(der as Uint8Array).equals(new X509Certificate(readFileSync(file(name))).raw);
/** The document signer certificate in an mdoc's x5chain (ISO/IEC 18013-5 §9.1.2.4), read by @owf/mdoc. */
async function dsCertificateOf(credential: string): Promise<Uint8Array | undefined> {
  const { IssuerSigned } = await import('@owf/mdoc');
  return IssuerSigned.fromEncodedForOid4Vci(credential).issuerAuth.certificateChain[0];
}
/** An mDL checked by @auth0/mdl as a verifier that trusts the root in `caFile`. */
const verifyMdl = (credential: string, holderPrivateJwk: JWK, caFile: string) =>
  verifyWithAuth0(credential, {
    docType: MDL_DOCTYPE,
    namespace: MDL_NAMESPACE,
    elements: ['family_name', 'given_name'],
    holderPrivateJwk,
    iacaPem: readFileSync(file(caFile), 'utf8'),
  });

/**
 * The issuer's formats on its database as the CLI left it (keys and imported chains), run in
 * `use` with sign inputs for a fresh holder key, valid from the current hour (the mdoc signing time).
 */
async function withIssuerFormats<T>(
  use: (context: {
    db: Kysely<unknown>;
    formats: Awaited<ReturnType<typeof setupIssuerFormats>>;
    holderPrivateJwk: JWK;
    inputs: ReturnType<typeof signInputs>;
  }) => Promise<T>,
): Promise<T> {
  const database = openDatabase(config.issuer.database);
  try {
    const db = database.db as Kysely<unknown>;
    await migrateToLatest(db, 'issuer', issuerMigrations);
    const store = new KeyStore(database.db as never, loadMasterKey(config.keys.masterKeyFile));
    const formats = await setupIssuerFormats({ db, keys: store, publicUrl: config.issuer.publicUrl });
    const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
    const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000;
    const inputs = signInputs(await exportJWK(publicKey), new Date(hour), new Date(hour + 86_400_000));
    return await use({ db, formats, holderPrivateJwk: await exportJWK(privateKey), inputs });
  } finally {
    await database.close();
  }
}

beforeAll(async () => {
  ({ config, dataDir: dir } = await testConfig({ services: ['issuer'] }));
  configFile = file('attesta.json');
  writeFileSync(configFile, JSON.stringify(config));
  // The issuer's first start made its keys and the demo chain.
  expect((await keys('rotate', 'issuer', '--purpose', 'issuer-mdoc-ds', '--lead', '0')).code).toBe(0);
  makeCa('iaca');
  makeCa('other-ca');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("certificates from the issuer's CA (attesta keys csr / import-chain)", () => {
  it('writes a PKCS#10 request signed by the key, which OpenSSL verifies', async () => {
    const made = await csr('issuer-mdoc-ds', 'C=XA, O=Road Authority, CN=Attesta DS 1', 'ds.csr');
    expect(made.code).toBe(0);
    const checked = execFileSync('openssl', ['req', '-in', file('ds.csr'), '-verify', '-noout', '-subject'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    expect(checked).toMatch(/subject=C ?= ?XA, O ?= ?Road Authority, CN ?= ?Attesta DS 1/);
    // The request carries the key the issuer signs with.
    const listed = await keys('list', 'issuer', '--purpose', 'issuer-mdoc-ds');
    const signingKid = /(\S+)\s+issuer-mdoc-ds\s+signing/.exec(listed.text)?.[1];
    const database = openDatabase(config.issuer.database);
    const store = new KeyStore(database.db as never, loadMasterKey(config.keys.masterKeyFile));
    const key = await store.get(signingKid as string);
    await database.close();
    const fromCsr = await exportJWK(createPublicKey(openssl('req', '-in', 'ds.csr', '-noout', '-pubkey')));
    expect(fromCsr.x).toBe(key?.publicJwk.x);
  });

  it('refuses a chain with the reason: another key, no link, wrong EKU, outside its validity', async () => {
    // The leaf certifies a key the issuer does not have.
    openssl(
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      'stranger.key',
      '-subj',
      '/C=XA/CN=stranger',
      '-out',
      'stranger.csr',
    );
    sign('iaca', 'stranger.csr', 'stranger', DS_EXTENSIONS);
    const stranger = await importChain('issuer-mdoc-ds', 'stranger-chain.pem', 'stranger.pem', 'iaca.pem');
    expect(stranger.code).toBe(1);
    expect(stranger.text).toMatch(/certifies none of the keys of issuer-mdoc-ds/);

    // Issued by one CA, presented with another's root.
    sign('other-ca', 'ds.csr', 'ds-other', DS_EXTENSIONS);
    const unlinked = await importChain('issuer-mdoc-ds', 'unlinked.pem', 'ds-other.pem', 'iaca.pem');
    expect(unlinked.text).toMatch(/does not link: certificate 1 .* is not issued by certificate 2/);

    // A plain TLS-style certificate: no mdoc document-signer EKU.
    sign('iaca', 'ds.csr', 'ds-no-eku', 'keyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n');
    const noEku = await importChain('issuer-mdoc-ds', 'no-eku.pem', 'ds-no-eku.pem', 'iaca.pem');
    expect(noEku.text).toMatch(/lacks the mdoc document-signer extended key usage 1\.0\.18013\.5\.1\.2/);

    // Key usage for encryption only.
    sign(
      'iaca',
      'ds.csr',
      'ds-ku',
      'keyUsage=critical,keyAgreement\nextendedKeyUsage=critical,1.0.18013.5.1.2\n',
    );
    const wrongUsage = await importChain('issuer-mdoc-ds', 'ku.pem', 'ds-ku.pem', 'iaca.pem');
    expect(wrongUsage.text).toMatch(/lacks the digitalSignature key usage/);

    // Expired: the same CA key certifies the same key with a validity that has ended.
    const ca = await LocalSigningKey.fromPrivateKey(
      createPrivateKey(readFileSync(file('iaca.key'))),
      'ES256',
    );
    const caCertificate = new X509Certificate(readFileSync(file('iaca.pem')));
    const request = createPublicKey(openssl('req', '-in', 'ds.csr', '-noout', '-pubkey'));
    const expired = await createCertificate({
      subject: { country: 'XA', organization: 'Road Authority', commonName: 'Attesta DS old' },
      subjectJwk: (await exportJWK(request)) as never,
      issuer: { country: 'XA', organization: 'Road Authority', commonName: 'iaca' },
      issuerJwk: (await exportJWK(caCertificate.publicKey)) as never,
      issuerKey: ca,
      notBefore: new Date(Date.now() - 400 * 86_400_000),
      notAfter: new Date(Date.now() - 86_400_000),
      profile: 'document-signer',
      issuerUrl: config.issuer.publicUrl,
    });
    writeFileSync(file('expired.pem'), derToPem(expired));
    const old = await importChain('issuer-mdoc-ds', 'expired-chain.pem', 'expired.pem', 'iaca.pem');
    expect(old.text).toMatch(/certificate 1 \(.*Attesta DS old\) expired on /);

    // Nothing was attached.
    expect((await keys('list', 'issuer', '--purpose', 'issuer-mdoc-ds')).text).not.toMatch(/certificate "/);
  });

  it('imports the CA-signed chain: mdocs then carry the CA-issued DS certificate and verify against the CA root', async () => {
    sign('iaca', 'ds.csr', 'ds', DS_EXTENSIONS);
    const imported = await importChain('issuer-mdoc-ds', 'chain.pem', 'ds.pem', 'iaca.pem');
    expect(imported.code).toBe(0);
    expect(imported.text).toMatch(/chain imported for issuer-mdoc-ds key/);
    const listed = await keys('list', 'issuer', '--purpose', 'issuer-mdoc-ds');
    expect(listed.text).toMatch(
      /signing .* certificate "C=XA, O=Road Authority, CN=Attesta DS 1" until \S+ \(36[45] days\)/,
    );

    await withIssuerFormats(async ({ formats, holderPrivateJwk, inputs }) => {
      const credential = (await formats.signers.get('mso_mdoc').sign(inputs.mdoc)) as string;
      await verifyMdl(credential, holderPrivateJwk, 'iaca.pem');
      // The x5chain's DS certificate is the one the CA issued.
      expect(isCertificate(await dsCertificateOf(credential), 'ds.pem')).toBe(true);
      // The served IACA bundle now holds the CA root; a verifier trusting only another root refuses.
      const app = createServer({
        service: 'issuer',
        logLevel: 'silent',
        validationErrorCode: 'invalid_request',
      });
      formats.registerRoutes(app, { get: async () => undefined, list: async () => [] });
      const served = (await app.inject({ method: 'GET', url: '/mdoc/iaca.pem' })).body;
      await app.close();
      expect(served).toContain(readFileSync(file('iaca.pem'), 'utf8').trim().split('\n')[1]);
      await expect(verifyMdl(credential, holderPrivateJwk, 'other-ca.pem')).rejects.toThrow();
    });
  });
});

describe('x5c in SD-JWT VC from the issuer CA (HAIP)', () => {
  it('refuses a leaf that does not name the issuer; with the CA chain imported, credentials, signed metadata and status list tokens carry x5c that OpenSSL and @sd-jwt/sd-jwt-vc accept', async () => {
    let statusListId = '';
    makeCa('issuer-ca');
    expect((await keys('rotate', 'issuer', '--purpose', 'issuer-sd-jwt', '--lead', '0')).code).toBe(0);
    const request = await csr(
      'issuer-sd-jwt',
      'C=XA, O=Road Authority, CN=Attesta credential issuer',
      'sd-jwt.csr',
    );
    expect(request.code, request.text).toBe(0);
    // The request asks for the issuer URL as a URI subjectAltName (SD-JWT VC: it must match `iss`).
    expect(openssl('req', '-in', 'sd-jwt.csr', '-noout', '-text')).toContain(
      `URI:${config.issuer.publicUrl}`,
    );

    // A CA that drops the SAN: the leaf no longer names the issuer, so a verifier would refuse it.
    sign('issuer-ca', 'sd-jwt.csr', 'sd-jwt-no-san', 'keyUsage=critical,digitalSignature\n');
    const unnamed = await importChain(
      'issuer-sd-jwt',
      'sd-jwt-no-san-chain.pem',
      'sd-jwt-no-san.pem',
      'issuer-ca.pem',
    );
    expect(unnamed.code).toBe(1);
    expect(unnamed.text).toMatch(/subjectAltName does not name the issuer/);

    sign(
      'issuer-ca',
      'sd-jwt.csr',
      'sd-jwt-leaf',
      `keyUsage=critical,digitalSignature\nsubjectAltName=URI:${config.issuer.publicUrl}\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`,
    );
    const imported = await importChain(
      'issuer-sd-jwt',
      'sd-jwt-chain.pem',
      'sd-jwt-leaf.pem',
      'issuer-ca.pem',
    );
    expect(imported.code, imported.text).toBe(0);

    await withIssuerFormats(async ({ db, formats, inputs }) => {
      const credential = (await formats.signers
        .get('dc+sd-jwt')
        .sign({ ...inputs.sdJwt, status: undefined })) as string;

      // RFC 7515 §4.1.6: base64 (not base64url) DER, leaf first; HAIP: the trust anchor is left out.
      const { x5c } = decodeProtectedHeader(credential);
      expect(x5c).toHaveLength(1);
      const leaf = x5cLeaf(x5c);
      expect(isCertificate(leaf.raw, 'sd-jwt-leaf.pem')).toBe(true);
      // The verifier's steps: the chain to its trust anchor (OpenSSL)…
      writeFileSync(file('x5c-leaf.pem'), leaf.toString());
      expect(openssl('verify', '-CAfile', 'issuer-ca.pem', 'x5c-leaf.pem')).toContain('x5c-leaf.pem: OK');
      expect(() => openssl('verify', '-CAfile', 'other-ca.pem', 'x5c-leaf.pem')).toThrow();
      // …the SAN names the `iss`, and the signature verifies with the leaf's key (@sd-jwt/sd-jwt-vc).
      expect(leaf.subjectAltName).toBe(`URI:${config.issuer.publicUrl}`);
      const library = new SDJwtVcInstance({
        hasher: digest,
        verifier: async (data, signature) =>
          (await ES256.getVerifier(leaf.publicKey.export({ format: 'jwk' })))(data, signature),
      });
      const { payload } = await library.verify(credential);
      expect(payload.iss).toBe(config.issuer.publicUrl);
      // A Token Status List to be served below (lists are made on first allocation).
      await migrateToLatest(db, ISSUANCE_MIGRATION_SET, issuanceMigrations);
      statusListId = (
        await new StatusAllocator(db as never, new StatusPermutations(Buffer.alloc(32, 1))).allocate(
          'token',
          'status',
        )
      ).listId;
    });

    // HAIP 1.0 §4.1: signed issuer metadata (OpenID4VCI 1.0 §12.2.3) resolvable through `x5c`.
    const registry = await SqlIdentityRegistry.open(config.registry.database);
    const service = await createIssuerService({
      config,
      masterKey: loadMasterKey(config.keys.masterKeyFile),
      registry,
    });
    try {
      const response = await service.app.inject({
        url: '/.well-known/openid-credential-issuer',
        headers: { accept: 'application/jwt' },
      });
      expect(response.headers['content-type']).toMatch(/^application\/jwt/);
      const jwt = response.body;
      const header = decodeProtectedHeader(jwt);
      expect(header.typ).toBe('openidvci-issuer-metadata+jwt');
      expect(header.x5c).toHaveLength(1);
      const leaf = x5cLeaf(header.x5c);
      expect(isCertificate(leaf.raw, 'sd-jwt-leaf.pem')).toBe(true);
      // A wallet that trusts the CA: the leaf chains to it, and the JWS verifies with the leaf's key.
      const { payload } = await jwtVerify(jwt, leaf.publicKey, { typ: 'openidvci-issuer-metadata+jwt' });
      expect(payload.sub).toBe(config.issuer.publicUrl);
      expect(leaf.verify(new X509Certificate(readFileSync(file('issuer-ca.pem'))).publicKey)).toBe(true);

      // HAIP 1.0 §7: the status list token's key in its `x5c` header, the same CA-issued leaf.
      const list = await service.app.inject({ url: `/status/token/${statusListId}` });
      expect(list.statusCode).toBe(200);
      expect(list.headers['content-type']).toMatch(/^application\/statuslist\+jwt/);
      const listHeader = decodeProtectedHeader(list.body);
      expect(listHeader.typ).toBe('statuslist+jwt');
      expect(listHeader.x5c).toHaveLength(1);
      const listLeaf = x5cLeaf(listHeader.x5c);
      expect(listLeaf.raw.equals(leaf.raw)).toBe(true);
      const listToken = await jwtVerify(list.body, listLeaf.publicKey, { typ: 'statuslist+jwt' });
      expect(listToken.payload.sub).toBe(`${config.issuer.publicUrl}/status/token/${statusListId}`);
    } finally {
      await service.close();
      await registry.close();
    }
  });
});

describe('a compromised document signer (attesta keys revoke)', () => {
  it('hands over to the rotated-in key with its CA chain: mdocs keep verifying against the CA root, never by the revoked key', async () => {
    const signingKid = async () =>
      /(\S+)\s+issuer-mdoc-ds\s+signing/.exec(
        (await keys('list', 'issuer', '--purpose', 'issuer-mdoc-ds')).text,
      )?.[1];
    const compromised = await signingKid();
    // The next key with a lead time, its CSR (for the pending key), the CA, the import.
    expect((await keys('rotate', 'issuer', '--purpose', 'issuer-mdoc-ds', '--lead', '86400')).code).toBe(0);
    const request = await csr('issuer-mdoc-ds', 'C=XA, O=Road Authority, CN=Attesta DS 2', 'ds2.csr');
    expect(request.code, request.text).toBe(0);
    sign('iaca', 'ds2.csr', 'ds2', DS_EXTENSIONS);
    const imported = await importChain('issuer-mdoc-ds', 'ds2-chain.pem', 'ds2.pem', 'iaca.pem');
    expect(imported.code, imported.text).toBe(0);

    const revoked = await keys('revoke', 'issuer', compromised as string);
    expect(revoked.code).toBe(0);
    expect(revoked.text).toMatch(/issuer-mdoc-ds: pending key \S+ \(with its certificate\) signs now/);
    const successor = await signingKid();
    expect(successor).not.toBe(compromised);
    expect((await keys('list', 'issuer', '--purpose', 'issuer-mdoc-ds')).text).toMatch(
      new RegExp(`${compromised}\\s+issuer-mdoc-ds\\s+revoked`),
    );

    await withIssuerFormats(async ({ formats, holderPrivateJwk, inputs }) => {
      const credential = (await formats.signers.get('mso_mdoc').sign(inputs.mdoc)) as string;
      expect(isCertificate(await dsCertificateOf(credential), 'ds2.pem')).toBe(true);
      await verifyMdl(credential, holderPrivateJwk, 'iaca.pem');
    });
  });
});

describe('certificate expiry ahead of time', () => {
  it('the running issuer (attesta serve issuer) warns in its log about a certificate ending within keys.certificateWarningDays', async () => {
    expect((await keys('rotate', 'issuer', '--purpose', 'issuer-mdoc-ds', '--lead', '0')).code).toBe(0);
    expect((await csr('issuer-mdoc-ds', 'C=XA, O=Road Authority, CN=Attesta DS short', 'ds3.csr')).code).toBe(
      0,
    );
    writeFileSync(file('ds3-now.ext'), DS_EXTENSIONS);
    // A CA that starts the validity now: imported, with a note that it signs only from the next full hour.
    openssl(
      'x509',
      '-req',
      '-in',
      'ds3.csr',
      '-CA',
      'iaca.pem',
      '-CAkey',
      'iaca.key',
      '-CAcreateserial',
      '-days',
      '20',
      '-extfile',
      file('ds3-now.ext'),
      '-out',
      'ds3-now.pem',
    );
    const startsNow = await importChain('issuer-mdoc-ds', 'ds3-now-chain.pem', 'ds3-now.pem', 'iaca.pem');
    expect(startsNow.code, startsNow.text).toBe(0);
    expect(startsNow.text).toMatch(
      /note: mdocs are signed at the issuance hour, so this certificate signs from \S+:00:00\.000Z/,
    );
    // The CA issues it for 20 days from yesterday: inside the default warning window of 30.
    sign('iaca', 'ds3.csr', 'ds3', DS_EXTENSIONS, 20);
    const imported = await importChain('issuer-mdoc-ds', 'ds3-chain.pem', 'ds3.pem', 'iaca.pem');
    expect(imported.code, imported.text).toBe(0);
    const kid = /chain imported for issuer-mdoc-ds key (\S+):/.exec(imported.text)?.[1];

    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('ATTESTA_')));
    const run = spawnCollecting(
      process.execPath,
      ['bin/attesta.js', 'serve', 'issuer', '--config', configFile],
      {
        ...env,
        ATTESTA_LOG__LEVEL: 'warn',
      },
    );
    try {
      await expect
        .poll(() => run.output.stdout, { timeout: 120_000, interval: 200 })
        .toMatch(/certificate ends soon/);
      const warning = run.output.stdout
        .split('\n')
        .filter((line) => line.includes('certificate ends soon'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)[0];
      expect(warning).toMatchObject({ level: 40, kid, purpose: 'issuer-mdoc-ds' });
      expect(warning?.daysLeft).toBeGreaterThanOrEqual(18);
      expect(warning?.daysLeft).toBeLessThanOrEqual(20);
    } finally {
      run.child.kill('SIGTERM');
      await Promise.race([run.exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
      killGroup(run.child);
    }
  });
});
