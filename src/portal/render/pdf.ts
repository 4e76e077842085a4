import { PDFDocument, type PDFFont, rgb, StandardFonts } from 'pdf-lib';
import { localizeType, pickDisplay } from '../catalog/issuer-metadata.js';
import type { Locale, Messages } from '../i18n/index.js';
import type { ObtainedCredential } from '../store/credential-store.js';
import { flattenClaims } from './claims.js';
import type { CredentialQr } from './qr.js';

/** A4 in PDF points (ISO 216: 210 × 297 mm). */
export const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;

/** WinAnsi additions above Latin-1 that the standard fonts can draw. */
const WIN_ANSI_EXTRA = new Set([...'€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ']);

/**
 * The standard PDF fonts encode WinAnsi only: accents are dropped where needed (č → c) and other
 * scripts become `?`. (Arabic would need an embedded font and shaping; the PDF is drawn in English
 * then, see docs/portal.md.)
 */
export function winAnsi(text: string): string {
  return [...text]
    .map((c) => {
      const code = c.codePointAt(0) ?? 0;
      if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(c)) return c;
      const bare = c.normalize('NFD').replace(/\p{M}/gu, '');
      return bare && bare !== c && (bare.codePointAt(0) ?? 0) < 0x7f ? bare : '?';
    })
    .join('');
}

function color(hex: string | undefined, fallback: [number, number, number]) {
  const m = hex ? /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex) : null;
  const [r, g, b] = m ? [m[1], m[2], m[3]].map((h) => Number.parseInt(h ?? '0', 16) / 255) : fallback;
  return rgb(r ?? 0, g ?? 0, b ?? 0);
}

/** Splits text into lines that fit `width` at `size`. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    const next = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(next, size) <= width || !line) line = next;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  return lines.flatMap((l) => {
    // A single word longer than the line (an email, a URL): cut it.
    const out: string[] = [];
    let rest = l;
    while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
      let n = rest.length;
      while (n > 1 && font.widthOfTextAtSize(rest.slice(0, n), size) > width) n--;
      out.push(rest.slice(0, n));
      rest = rest.slice(n);
    }
    return [...out, rest];
  });
}

export interface PdfInput {
  obtained: ObtainedCredential;
  locale: Locale;
  m: Messages;
  qr: CredentialQr;
  /** Caption under the QR code. */
  qrCaption: string;
}

/** One A4 page: the card (name, issuer, claims in configured order) and the QR code. */
export async function credentialPdf({ obtained, locale, m, qr, qrCaption }: PdfInput): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const shown = localizeType({ ...placeholderType(obtained), display: obtained.typeDisplay }, locale);
  const issuer = pickDisplay(obtained.issuerDisplay, locale)?.name ?? obtained.issuerName;
  pdf.setTitle(winAnsi(shown.name));
  pdf.setAuthor(winAnsi(issuer));
  pdf.setCreator('Attesta portal');
  pdf.setLanguage(locale);
  const page = pdf.addPage(A4);
  const regular = await pdf.embedFont(StandardFonts.Helvetica);
  const bold = await pdf.embedFont(StandardFonts.HelveticaBold);
  const [width, height] = A4;
  const inner = width - 2 * MARGIN;

  page.drawRectangle({
    x: MARGIN,
    y: height - MARGIN - 64,
    width: inner,
    height: 64,
    color: color(shown.background, [0.07, 0.21, 0.36]),
  });
  page.drawText(winAnsi(shown.name), {
    x: MARGIN + 16,
    y: height - MARGIN - 40,
    size: 22,
    font: bold,
    color: color(shown.text, [1, 1, 1]),
  });
  let y = height - MARGIN - 90;
  const date = (s: number | undefined) =>
    s === undefined ? undefined : new Date(s * 1000).toISOString().slice(0, 10);
  for (const line of wrap(
    winAnsi(m.resultLead(issuer, date(obtained.issuedAt), date(obtained.expiresAt))),
    regular,
    10,
    inner,
  )) {
    page.drawText(line, { x: MARGIN, y, size: 10, font: regular, color: rgb(0.35, 0.38, 0.46) });
    y -= 14;
  }
  y -= 8;

  const qrSize = 220;
  const claimsBottom = MARGIN + qrSize + 40;
  for (const claim of flattenClaims(obtained.claims, obtained.claimsMeta, locale)) {
    if (typeof claim.value === 'string' && claim.value.startsWith('data:image/')) continue;
    const label = winAnsi(claim.labels.join(' / '));
    const value = winAnsi(
      claim.value === true ? m.yes : claim.value === false ? m.no : String(claim.value ?? '-'),
    );
    const valueLines = wrap(value, bold, 11, inner - 170);
    if (y - 16 * valueLines.length < claimsBottom) break;
    page.drawText(label, { x: MARGIN, y, size: 10, font: regular, color: rgb(0.35, 0.38, 0.46) });
    for (const line of valueLines) {
      page.drawText(line, { x: MARGIN + 170, y, size: 11, font: bold, color: rgb(0.11, 0.14, 0.19) });
      y -= 16;
    }
    y -= 2;
  }

  const image = await pdf.embedPng(qr.png);
  page.drawImage(image, { x: MARGIN, y: MARGIN + 20, width: qrSize, height: qrSize });
  for (const [i, line] of wrap(winAnsi(qrCaption), regular, 9, inner - qrSize - 16).entries()) {
    page.drawText(line, { x: MARGIN + qrSize + 16, y: MARGIN + qrSize - i * 12, size: 9, font: regular });
  }
  return pdf.save();
}

function placeholderType(obtained: ObtainedCredential) {
  return {
    id: obtained.configurationId,
    format: obtained.format,
    scope: undefined,
    vct: undefined,
    name: obtained.typeName,
    description: undefined,
    claims: obtained.claimsMeta,
    labels: obtained.labels,
    proofAlgs: undefined,
  };
}
