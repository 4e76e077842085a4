import { createHeaderAndPayload, StatusList } from '@sd-jwt/jwt-status-list';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueSdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import { LocalSigningKey, signCompactJws } from '../../src/platform/keys/index.js';
import { parseIssuerMetadata } from '../../src/portal/catalog/issuer-metadata.js';
import { messages } from '../../src/portal/i18n/index.js';
import { credentialPdf } from '../../src/portal/render/pdf.js';
import { pixelPassDecode } from '../../src/portal/render/pixelpass.js';
import { credentialQr } from '../../src/portal/render/qr.js';
import type { ObtainedCredential } from '../../src/portal/store/credential-store.js';
import { pdfPageSize, pdfQrCodes, pdfText } from './pdf-tools.js';
import { issuerMetadata, Stub, startPortal, type TestPortal } from './stubs.js';

/**
 * The verify page against a stub issuer that publishes its keys and a Token Status List in which
 * index 1 is revoked (INVALID) and index 2 suspended.
 */
let stub: Stub;
let portal: TestPortal;
let issuerKey: LocalSigningKey;
let holder: LocalSigningKey;
const now = () => Math.floor(Date.now() / 1000);

async function credential(
  options: { idx?: number; iat?: number; exp?: number; key?: LocalSigningKey; iss?: string } = {},
) {
  return issueSdJwtVc({
    issuerKey: options.key ?? issuerKey,
    issuer: options.iss ?? stub.url,
    vct: `${stub.url}/national_id`,
    claims: { given_name: 'Ana', family_name: 'Kovač', birthdate: '1994-11-03' },
    disclosable: ['given_name', 'family_name', 'birthdate'],
    holderJwk: holder.publicJwk,
    iat: options.iat ?? now(),
    ...(options.exp ? { exp: options.exp } : {}),
    ...(options.idx !== undefined
      ? { status: { status_list: { idx: options.idx, uri: `${stub.url}/status/1` } } }
      : {}),
  });
}

async function statusListToken(): Promise<string> {
  const list = new StatusList([0, 1, 2, 0], 2);
  const { header, payload } = createHeaderAndPayload(
    list,
    { iss: stub.url, sub: `${stub.url}/status/1`, iat: now(), exp: now() + 600 },
    { alg: 'ES256', typ: 'statuslist+jwt' },
  );
  return signCompactJws(issuerKey, header as Record<string, unknown>, payload as Record<string, unknown>);
}

beforeAll(async () => {
  issuerKey = await LocalSigningKey.generate('ES256');
  holder = await LocalSigningKey.generate('ES256');
  stub = await Stub.start();
  stub
    .on('GET /.well-known/openid-credential-issuer', () => ({ json: issuerMetadata(stub.url, stub.url) }))
    .on('GET /.well-known/jwt-vc-issuer', () => ({
      json: { issuer: stub.url, jwks: { keys: [issuerKey.publicJwk] } },
    }))
    .on('GET /status/1', async () => ({
      text: await statusListToken(),
      headers: { 'content-type': 'application/statuslist+jwt' },
    }));
  portal = await startPortal(stub.url);
});
afterAll(async () => {
  await portal?.stop();
  await stub?.stop();
});

async function verify(fields: { text?: string; file?: Blob }): Promise<{ status: number; page: string }> {
  const form = new FormData();
  if (fields.text !== undefined) form.append('text', fields.text);
  if (fields.file !== undefined) form.append('file', fields.file, 'upload');
  const response = await fetch(`${portal.url}/verify`, { method: 'POST', body: form });
  return { status: response.status, page: await response.text() };
}

function checks(page: string): Record<string, string> {
  return Object.fromEntries(
    [...page.matchAll(/data-check="(\w+)" data-outcome="(\w+)"/g)].map((m) => [m[1], m[2]]),
  );
}
const reasons = (page: string) => [...page.matchAll(/data-reason="([^"]+)"/g)].map((m) => m[1]);
const valid = (page: string) => /data-testid="verdict" data-valid="true"/.test(page);

describe('verify page', () => {
  it('shows a form that posts a file or text', async () => {
    const response = await fetch(`${portal.url}/verify?lang=fr`);
    expect(response.status).toBe(200);
    const page = await response.text();
    expect(page).toContain('<html lang="fr" dir="ltr">');
    expect(page).toContain('enctype="multipart/form-data"');
    expect(page).toContain('<label for="verify-file">Attestation, PDF ou image du code QR</label>');
  });

  it('accepts a valid credential pasted as text, with its status in the list', async () => {
    const { status, page } = await verify({ text: await credential({ idx: 0 }) });
    expect(status).toBe(200);
    expect(valid(page)).toBe(true);
    expect(checks(page)).toEqual({
      signature: 'passed',
      issuer: 'passed',
      validity: 'passed',
      status: 'passed',
    });
    // Labels from the issuer's metadata, not the claim names.
    expect(page).toContain('<dt>Family name</dt><dd data-claim-value="family_name">Kovač</dd>');
  });

  it('names revoked and suspended credentials', async () => {
    const revoked = await verify({ text: await credential({ idx: 1 }) });
    expect(valid(revoked.page)).toBe(false);
    expect(checks(revoked.page)).toMatchObject({ signature: 'passed', status: 'failed' });
    expect(reasons(revoked.page)).toEqual(['revoked']);
    const suspended = await verify({ text: await credential({ idx: 2 }) });
    expect(reasons(suspended.page)).toEqual(['suspended']);
  });

  it('names an expired credential (signature still good) and a forged one', async () => {
    const expired = await verify({ text: await credential({ iat: now() - 7200, exp: now() - 3600 }) });
    expect(valid(expired.page)).toBe(false);
    expect(checks(expired.page)).toEqual({
      signature: 'passed',
      issuer: 'passed',
      validity: 'failed',
      status: 'skipped',
    });
    expect(reasons(expired.page)).toEqual(['expired']);

    const forged = await verify({ text: await credential({ key: await LocalSigningKey.generate('ES256') }) });
    expect(checks(forged.page)).toMatchObject({ signature: 'failed' });
    expect(reasons(forged.page)).toEqual(['no issuer key matches']);
  });

  it('refuses an issuer outside the catalogue without fetching anything from it', async () => {
    const before = stub.requests.length;
    const { page } = await verify({ text: await credential({ iss: 'https://unknown.example' }) });
    expect(checks(page)).toMatchObject({ issuer: 'failed', signature: 'skipped' });
    expect(reasons(page)).toEqual(['unknown issuer']);
    // Only our stub could have been asked, and it was not asked for keys either.
    expect(stub.requests.slice(before).map((r) => r.path)).not.toContain('/.well-known/jwt-vc-issuer');
  });

  it('answers 422 with a clear page when nothing usable was sent', async () => {
    for (const fields of [{ text: 'hello' }, { file: new Blob(['garbage']) }, {}]) {
      const { status, page } = await verify(fields);
      expect(status).toBe(422);
      expect(page).toContain('No credential was found in what you sent.');
    }
  });

  it('reads the PDF: A4, the card text, and a QR code jsqr decodes into a credential that verifies', async () => {
    const issued = await credential({ idx: 0 });
    const catalog = parseIssuerMetadata(issuerMetadata(stub.url, stub.url), stub.url);
    const type = catalog.types[0];
    if (!type) throw new Error('no type');
    const obtained: ObtainedCredential = {
      configurationId: type.id,
      credential: issued,
      mediaType: 'application/dc+sd-jwt',
      format: 'dc+sd-jwt',
      typeName: type.name,
      issuerName: catalog.name,
      typeDisplay: type.display,
      issuerDisplay: catalog.display,
      claimsMeta: type.claims,
      claims: { given_name: 'Ana', family_name: 'Kovač', birthdate: '1994-11-03' },
      labels: type.labels,
      selectable: ['given_name'],
      holder: 'guest',
      issuedAt: now(),
      expiresAt: undefined,
    };
    const m = messages('fr');
    const qr = await credentialQr(issued, async () => 'unused');
    const pdf = await credentialPdf({ obtained, locale: 'fr', m, qr, qrCaption: m.pdfQrInline });
    expect(await pdfPageSize(pdf)).toEqual([{ width: 595.28, height: 841.89 }]);
    const text = await pdfText(pdf);
    expect(text).toContain('Carte nationale'); // the French display name
    expect(text).toContain('Given name'); // no French label: English fallback
    expect(text).toContain('Kovač'); // embedded Noto Sans: Latin Extended drawn as it is
    expect(text).toContain('3 novembre 1994'); // dates in the page language
    const [code] = await pdfQrCodes(pdf);
    expect(pixelPassDecode(code ?? '')).toBe(issued);

    const uploaded = await verify({ file: new Blob([new Uint8Array(pdf)], { type: 'application/pdf' }) });
    expect(valid(uploaded.page)).toBe(true);
    const png = await verify({ file: new Blob([new Uint8Array(qr.png)], { type: 'image/png' }) });
    expect(valid(png.page)).toBe(true);
    const json = await verify({ file: new Blob([JSON.stringify({ credential: issued })]) });
    expect(valid(json.page)).toBe(true);
  });
});

describe('verify page limits', () => {
  it('answers a client that verifies too often with a 429 page (after the other tests of this file)', async () => {
    let last: { status: number; page: string } | undefined;
    for (let i = 0; i < 61 && last?.status !== 429; i++) last = await verify({ text: 'x' });
    expect(last?.status).toBe(429);
    expect(last?.page).toContain('data-message="tooMany"');
    expect(last?.page).toContain('data-testid="back-home"');
  });
});
