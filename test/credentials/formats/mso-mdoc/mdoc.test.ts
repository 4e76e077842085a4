import { exportJWK, generateKeyPair, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issueMdoc } from '../../../../src/credentials/formats/mso-mdoc/issue.js';
import { MDL_DOCTYPE, MDL_NAMESPACE } from '../../../../src/credentials/formats/mso-mdoc/mdl.js';
import { verifyMdoc } from '../../../../src/credentials/formats/mso-mdoc/verify.js';
import { certificateChain, DRIVING_LICENCE_ELEMENTS, derToPem, verifyWithAuth0 } from './helpers.js';

let chain: Awaited<ReturnType<typeof certificateChain>>;
let holderPublic: JWK;
let holderPrivate: JWK;

const NOW = new Date();
const UNTIL = new Date(NOW.getTime() + 365 * 86_400_000);
const ELEMENTS = {
  ...DRIVING_LICENCE_ELEMENTS,
  issue_date: NOW.toISOString().slice(0, 10),
  expiry_date: UNTIL.toISOString().slice(0, 10),
};

beforeAll(async () => {
  chain = await certificateChain();
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  holderPublic = await exportJWK(publicKey);
  holderPrivate = await exportJWK(privateKey);
});

async function issue(overrides: Partial<Parameters<typeof issueMdoc>[0]> = {}) {
  return issueMdoc({
    docType: MDL_DOCTYPE,
    namespaces: { [MDL_NAMESPACE]: ELEMENTS },
    signer: chain.signer,
    certificates: [chain.ds],
    holderJwk: holderPublic,
    validFrom: NOW,
    validUntil: UNTIL,
    ...overrides,
  });
}

describe('mso_mdoc', () => {
  it('an mDL IssuerSigned (base64url, no padding) verifies with @auth0/mdl, presented with the proof key', async () => {
    const credential = await issue();
    expect(credential).toMatch(/^[A-Za-z0-9_-]+$/);
    const mdoc = await verifyWithAuth0(credential, {
      docType: MDL_DOCTYPE,
      namespace: MDL_NAMESPACE,
      elements: ['family_name', 'birth_date', 'driving_privileges', 'issuing_country', 'portrait'],
      holderPrivateJwk: holderPrivate,
      iacaPem: derToPem(chain.iaca),
    });
    const [document] = mdoc.documents;
    expect(document?.docType).toBe(MDL_DOCTYPE);
    const values = document?.getIssuerNameSpace(MDL_NAMESPACE);
    expect(values?.family_name).toBe('Okafor');
    expect(String(values?.birth_date)).toBe('1970-03-13');
    // The MSO binds the proof key as deviceKey and carries the validity window.
    const mso = document?.issuerSigned.issuerAuth.decodedPayload;
    expect(mso?.validityInfo.validUntil.getTime()).toBe(Math.floor(UNTIL.getTime() / 1000) * 1000);
  });

  it('our verifier (on @owf/mdoc) agrees, decodes full-dates and the device key', async () => {
    const verified = await verifyMdoc(await issue(), { trustedCertificates: [chain.iaca] });
    expect(verified.docType).toBe(MDL_DOCTYPE);
    expect(String(verified.namespaces[MDL_NAMESPACE]?.birth_date)).toBe('1970-03-13');
    expect(verified.deviceJwk).toMatchObject({
      kty: 'EC',
      crv: 'P-256',
      x: holderPublic.x,
      y: holderPublic.y,
    });
  });

  it('carries the token status reference in the MSO; @auth0/mdl still verifies, ours returns it', async () => {
    const status = { idx: 4711, uri: 'https://issuer.example/status/token/3' };
    const credential = await issue({ status });
    await expect(verifyMdoc(credential, { trustedCertificates: [chain.iaca] })).resolves.toMatchObject({
      status: { status_list: status },
    });
    const mdoc = await verifyWithAuth0(credential, {
      docType: MDL_DOCTYPE,
      namespace: MDL_NAMESPACE,
      elements: ['family_name'],
      holderPrivateJwk: holderPrivate,
      iacaPem: derToPem(chain.iaca),
    });
    // The MSO as @auth0/mdl decoded it: the status member is part of the signed payload.
    const mso = mdoc.documents[0]?.issuerSigned.issuerAuth.decodedPayload as unknown as Record<
      string,
      unknown
    >;
    const decoded = mso.status instanceof Map ? Object.fromEntries(mso.status) : mso.status;
    expect(JSON.stringify(decoded, (_k, v) => (v instanceof Map ? Object.fromEntries(v) : v))).toBe(
      JSON.stringify({ status_list: status }),
    );
    expect((await verifyMdoc(await issue(), { trustedCertificates: [chain.iaca] })).status).toBeUndefined();
  });

  it('digest salts are random: two issuances of the same data differ in every digest', async () => {
    const [a, b] = await Promise.all([issue(), issue()]);
    const digests = async (c: string) => {
      const { IssuerSigned } = await import('@owf/mdoc');
      const mso = IssuerSigned.fromEncodedForOid4Vci(c).issuerAuth.mobileSecurityObject;
      return [...(mso.valueDigests.valueDigests.get(MDL_NAMESPACE)?.values() ?? [])].map((d) =>
        Buffer.from(d).toString('hex'),
      );
    };
    const [da, db] = [await digests(a), await digests(b)];
    expect(da).toHaveLength(Object.keys(ELEMENTS).length);
    expect(da.filter((d) => db.includes(d))).toEqual([]);
  });

  it('refuses an mDL without its mandatory elements', async () => {
    const { portrait: _p, un_distinguishing_sign: _u, ...partial } = ELEMENTS;
    await expect(issue({ namespaces: { [MDL_NAMESPACE]: partial } })).rejects.toThrow(
      'mDL lacks mandatory elements: portrait, un_distinguishing_sign',
    );
  });

  it('a tampered element value fails both verifiers; an untrusted root fails too', async () => {
    const credential = await issue();
    const bytes = Buffer.from(credential, 'base64url');
    const at = bytes.indexOf(Buffer.from('Okafor'));
    expect(at).toBeGreaterThan(0);
    bytes.write('Okafoo', at);
    const tampered = bytes.toString('base64url');
    await expect(verifyMdoc(tampered, { trustedCertificates: [chain.iaca] })).rejects.toThrow(
      /calculated digest for org.iso.18013.5.1\/family_name/,
    );
    await expect(
      verifyWithAuth0(tampered, {
        docType: MDL_DOCTYPE,
        namespace: MDL_NAMESPACE,
        elements: ['family_name'],
        holderPrivateJwk: holderPrivate,
        iacaPem: derToPem(chain.iaca),
      }),
    ).rejects.toThrow();

    const other = await certificateChain();
    await expect(verifyMdoc(credential, { trustedCertificates: [other.iaca] })).rejects.toThrow(
      'mdoc: Issuer certificate must be valid',
    );
    await expect(
      verifyWithAuth0(credential, {
        docType: MDL_DOCTYPE,
        namespace: MDL_NAMESPACE,
        elements: ['family_name'],
        holderPrivateJwk: holderPrivate,
        iacaPem: derToPem(other.iaca),
      }),
    ).rejects.toThrow();
  });

  it('a presentation signed with another device key fails in @auth0/mdl (deviceKey is the proof key)', async () => {
    const stranger = await exportJWK((await generateKeyPair('ES256', { extractable: true })).privateKey);
    await expect(
      verifyWithAuth0(await issue(), {
        docType: MDL_DOCTYPE,
        namespace: MDL_NAMESPACE,
        elements: ['family_name'],
        holderPrivateJwk: stranger,
        iacaPem: derToPem(chain.iaca),
      }),
    ).rejects.toThrow();
  });
});

describe('certificates', () => {
  it('openssl accepts the IACA → document-signer chain in strict mode', async () => {
    const { execFileSync } = await import('node:child_process');
    const { mkdtempSync, writeFileSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'attesta-x509-'));
    try {
      writeFileSync(join(dir, 'iaca.pem'), derToPem(chain.iaca));
      writeFileSync(join(dir, 'ds.pem'), derToPem(chain.ds));
      const out = execFileSync('openssl', [
        'verify',
        '-x509_strict',
        '-CAfile',
        join(dir, 'iaca.pem'),
        join(dir, 'ds.pem'),
      ]);
      expect(out.toString()).toContain('ds.pem: OK');
      // The DS certificate is not a CA: it cannot vouch for another certificate.
      const text = execFileSync('openssl', [
        'x509',
        '-in',
        join(dir, 'ds.pem'),
        '-noout',
        '-text',
      ]).toString();
      expect(text).toContain('1.0.18013.5.1.2');
      expect(text).toContain('Digital Signature');
      expect(text).not.toContain('CA:TRUE');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
