import { mkdirSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseIssuerMetadata } from '../../src/portal/catalog/issuer-metadata.js';
import { type Locale, messages } from '../../src/portal/i18n/index.js';
import { bidiLevels, visualRuns } from '../../src/portal/render/bidi.js';
import { fontParses } from '../../src/portal/render/fonts.js';
import { credentialPdf } from '../../src/portal/render/pdf.js';
import { pixelPassDecode } from '../../src/portal/render/pixelpass.js';
import { credentialQr } from '../../src/portal/render/qr.js';
import type { ObtainedCredential } from '../../src/portal/store/credential-store.js';
import { pdfQrCodes, pdfText } from './pdf-tools.js';

/**
 * The PDF in each language with embedded Noto fonts: Arabic shaped and right to left, names outside
 * Latin-1, a clear `?` for characters no font has; the QR code still read by jsqr. pdf-tools.ts reads
 * each run's /ActualText (reading order) with the runs in visual order, or the glyphs themselves,
 * where an Arabic word drawn right to left reads reversed: a PDF drawn in logical order would fail.
 */
const ISSUER = 'https://issuer.example';
const catalog = parseIssuerMetadata(
  {
    credential_issuer: ISSUER,
    credential_endpoint: `${ISSUER}/credential`,
    display: [
      { name: 'Civil Registry', locale: 'en' },
      { name: 'السجل المدني', locale: 'ar' },
    ],
    credential_configurations_supported: {
      national_id: {
        format: 'dc+sd-jwt',
        vct: `${ISSUER}/national_id`,
        credential_metadata: {
          display: [
            { name: 'National ID', locale: 'en' },
            { name: 'بطاقة الهوية الوطنية', locale: 'ar' },
          ],
          claims: [
            {
              path: ['given_name'],
              display: [
                { name: 'Given name', locale: 'en' },
                { name: 'الاسم الأول', locale: 'ar' },
              ],
            },
            {
              path: ['family_name'],
              display: [
                { name: 'Family name', locale: 'en' },
                { name: 'اسم العائلة', locale: 'ar' },
              ],
            },
            {
              path: ['birthdate'],
              display: [
                { name: 'Date of birth', locale: 'en' },
                { name: 'تاريخ الميلاد', locale: 'ar' },
              ],
            },
          ],
        },
      },
    },
  },
  ISSUER,
);
const CREDENTIAL = 'eyJhbGciOiJFUzI1NiJ9.eyJ0ZXN0Ijp0cnVlfQ.c2lnbmF0dXJl~';
/** What a reader sees of a right-to-left word: its code points reversed. */
const visual = (s: string) => [...s].reverse().join('');

async function render(locale: Locale, claims: Record<string, unknown>) {
  const type = catalog.types[0];
  if (!type) throw new Error('no type');
  const obtained: ObtainedCredential = {
    configurationId: type.id,
    credential: CREDENTIAL,
    mediaType: 'application/dc+sd-jwt',
    format: 'dc+sd-jwt',
    typeName: type.name,
    issuerName: catalog.name,
    typeDisplay: type.display,
    issuerDisplay: catalog.display,
    claimsMeta: type.claims,
    claims,
    labels: type.labels,
    selectable: [],
    holder: 'guest',
    issuedAt: Date.UTC(2026, 10, 28) / 1000,
    expiresAt: undefined,
  };
  const m = messages(locale);
  const qr = await credentialQr(CREDENTIAL, async () => 'unused');
  const pdf = await credentialPdf({ obtained, locale, m, qr, qrCaption: m.pdfQrInline });
  return { pdf, text: await pdfText(pdf) };
}

describe('credential PDF', () => {
  it('draws an Arabic page in Arabic, right to left, with the QR code jsqr reads', async () => {
    const { pdf, text } = await render('ar', {
      given_name: 'ليلى',
      family_name: 'Haddad',
      birthdate: '1986-01-20',
    });
    if (process.env.PDF_SAMPLE) {
      mkdirSync('test-results', { recursive: true });
      writeFileSync('test-results/portal-ar.pdf', pdf);
    }
    for (const label of ['بطاقة الهوية الوطنية', 'الاسم الأول', 'اسم العائلة', 'تاريخ الميلاد', 'ليلى']) {
      expect(text).toContain(label);
    }
    expect(text).not.toContain('Date of birth');
    // The glyphs themselves are in visual order: read left to right, an Arabic word is reversed.
    const glyphs = await pdfText(pdf, { glyphs: true });
    expect(glyphs).toContain(visual('الاسم'));
    expect(glyphs).not.toContain('الاسم');
    // Runs in visual order: digits and Latin keep their own order, left of the Arabic they follow.
    // Dates in Arabic words, digits in their own order: read left to right, year, month, day.
    expect(text).toMatch(/1986\s*يناير\s*20\s*تاريخ الميلاد/);
    expect(text).toMatch(/2026\s*نوفمبر\s*28\s*صادرة عن السجل المدني بتاريخ/);
    expect(text).toMatch(/QR\s*يحتوي رمز/);
    // Labels on the right: on each line the value comes first (left), then its label.
    expect(text).toMatch(/Haddad\s*اسم العائلة/);
    expect(text).toMatch(/ليلى\s*الاسم الأول/);
    expect(pixelPassDecode((await pdfQrCodes(pdf))[0] ?? '')).toBe(CREDENTIAL);
  });

  it('draws names outside Latin-1 and marks what no font covers with a ? and a note', async () => {
    const { pdf, text } = await render('en', {
      given_name: 'Zoë Łukasz',
      family_name: 'Kovač Ηλίας Дмитрий',
    });
    expect(text).toMatch(/Given name.*Zoë Łukasz/);
    expect(text).toContain('Kovač Ηλίας Дмитрий');
    expect(text).not.toContain('stands for a character');

    const cjk = await render('fr', { given_name: '王芳', family_name: 'Li' });
    if (process.env.PDF_SAMPLE) writeFileSync('test-results/portal-fr-cjk.pdf', cjk.pdf);
    expect(cjk.text).toContain('??');
    expect(cjk.text).toContain('Un ? remplace un caractère');
    expect(pixelPassDecode((await pdfQrCodes(cjk.pdf))[0] ?? '')).toBe(CREDENTIAL);
    expect(pixelPassDecode((await pdfQrCodes(pdf))[0] ?? '')).toBe(CREDENTIAL);
  });

  it('keeps English and French left to right with labels on the left', async () => {
    const { text } = await render('en', { given_name: 'Amara', birthdate: '1990-02-03' });
    expect(text).toMatch(/Date of birth\s*3 February 1990/);
    expect(text).toContain('Issued by Civil Registry on 28 November 2026');
  });
});

describe('fonts', () => {
  it('are read and parsed once per process, not per PDF', async () => {
    await render('ar', { given_name: 'ليلى', family_name: 'Zoë' });
    const before = fontParses();
    expect(before).toBeGreaterThan(0);
    const { text } = await render('ar', { given_name: 'ليلى', family_name: 'Zoë' });
    expect(text).toContain('ليلى');
    expect(fontParses()).toBe(before);
  });
});

describe('bidi step', () => {
  it('keeps numbers and Latin words in order inside right-to-left text', () => {
    const runs = (s: string, page: 'ltr' | 'rtl') =>
      visualRuns(s, page, (chars, i) => (/[\u0600-\u06ff\s]/u.test(chars[i] ?? '') ? 1 : 0)).map(
        (r) => r.text,
      );
    // Arabic runs stay in logical order (fontkit shapes and reverses them); the rest is visual. An
    // ISO date inside Arabic keeps its order in an isolate (U+2066 … U+2069, UAX #9 X5a), as the
    // portal's messages write it; without one, UAX #9 reads `2026-11-28` there as 28-11-2026.
    expect(runs('صادرة عن Attesta بتاريخ 2026-11-28.', 'rtl')[1]).toBe('28');
    expect(runs('صادرة عن Attesta بتاريخ \u20662026-11-28\u2069.', 'rtl')).toEqual([
      '.',
      '2026-11-28',
      ' بتاريخ ',
      'Attesta',
      'صادرة عن ',
    ]);
    expect(runs('Amara(أمارة)', 'ltr')).toEqual(['Amara(', 'أمارة', ')']);
    expect(runs('(1)', 'rtl')).toEqual(['(', '1', ')']);
    expect(bidiLevels([...'ab 12'], 1)).toEqual([2, 2, 2, 2, 2]);
  });
});
