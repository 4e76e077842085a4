import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LocalSigningKey } from '../../../src/platform/keys/index.js';
import { createCertificate, derToPem } from '../../../src/platform/keys/x509/index.js';

const DAY = 86_400_000;
const now = new Date();
const rootDn = { country: 'XA', organization: 'Attesta', commonName: 'Test IACA' };

async function chain(rootAlg: 'ES256' | 'EdDSA' = 'ES256') {
  const root = await LocalSigningKey.generate(rootAlg);
  const signer = await LocalSigningKey.generate('ES256');
  const iaca = await createCertificate({
    subject: rootDn,
    subjectJwk: root.publicJwk,
    issuer: rootDn,
    issuerJwk: root.publicJwk,
    issuerKey: root,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 365 * DAY),
    profile: 'iaca',
    issuerUrl: 'https://issuer.example',
  });
  const ds = await createCertificate({
    subject: { country: 'XA', organization: 'Attesta', commonName: 'Test DS' },
    subjectJwk: signer.publicJwk,
    issuer: rootDn,
    issuerJwk: root.publicJwk,
    issuerKey: root,
    notBefore: new Date(now.getTime() - DAY),
    notAfter: new Date(now.getTime() + 90 * DAY),
    profile: 'document-signer',
    issuerUrl: 'https://issuer.example',
  });
  return { root, signer, iaca, ds };
}

function openssl(args: string[]): string {
  return execFileSync('openssl', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('X.509 through @peculiar/x509 and the key interface', () => {
  it('an IACA root and document signer read back by node:crypto and OpenSSL as ISO 18013-5 Annex B asks', async () => {
    const { signer, iaca, ds } = await chain();
    const root = new X509Certificate(iaca);
    const leaf = new X509Certificate(ds);
    expect(root.ca).toBe(true);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.subject).toContain('C=XA');
    // The certified key is the signer's.
    expect(leaf.publicKey.export({ format: 'jwk' })).toMatchObject({
      x: signer.publicJwk.x,
      y: signer.publicJwk.y,
    });
    // Annex B.1.4: the mdoc signer EKU.
    expect(leaf.keyUsage).toContain('1.0.18013.5.1.2');

    const dir = mkdtempSync(join(tmpdir(), 'attesta-x509-'));
    writeFileSync(join(dir, 'iaca.pem'), derToPem(iaca));
    writeFileSync(join(dir, 'ds.pem'), derToPem(ds));
    const rootText = openssl(['x509', '-in', join(dir, 'iaca.pem'), '-noout', '-text']);
    expect(rootText).toMatch(/CA:TRUE, pathlen:0/);
    expect(rootText).toMatch(/Certificate Sign, CRL Sign/);
    expect(rootText).toMatch(/X509v3 Issuer Alternative Name:\s*\n\s*URI:https:\/\/issuer\.example/);
    const leafText = openssl(['x509', '-in', join(dir, 'ds.pem'), '-noout', '-text']);
    expect(leafText).toMatch(/X509v3 Key Usage: critical\s*\n\s*Digital Signature\s*\n/);
    expect(leafText).toMatch(/X509v3 Authority Key Identifier/);
    expect(leafText).toMatch(/ecdsa-with-SHA256/);
    expect(openssl(['verify', '-CAfile', join(dir, 'iaca.pem'), join(dir, 'ds.pem')])).toContain('OK');
  });

  it('an Ed25519 key signs certificates too; a tampered certificate no longer verifies', async () => {
    const { iaca, ds } = await chain('EdDSA');
    const root = new X509Certificate(iaca);
    const leaf = new X509Certificate(ds);
    expect(root.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(leaf.verify(root.publicKey)).toBe(true);
    const tampered = Buffer.from(ds);
    const at = tampered.indexOf(Buffer.from('Test DS'));
    tampered[at] = 'X'.charCodeAt(0);
    expect(new X509Certificate(tampered).verify(root.publicKey)).toBe(false);
  });
});
