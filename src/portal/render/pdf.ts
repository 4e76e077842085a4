import { PDFDocument, rgb } from '@cantoo/pdf-lib';
import { localizeType, pickDisplay } from '../catalog/issuer-metadata.js';
import { direction, type Locale, type Messages } from '../i18n/index.js';
import type { ObtainedCredential } from '../store/credential-store.js';
import { flattenClaims } from './claims.js';
import type { CredentialQr } from './qr.js';
import { PdfText, type TextStyle } from './text.js';
import { displayValue, epochDate } from './values.js';

/** A4 in PDF points (ISO 216: 210 × 297 mm). */
export const A4: [number, number] = [595.28, 841.89];
const MARGIN = 48;
const LABEL_COLUMN = 170;
/** 1 mm in PDF points (1 pt = 1/72 in). */
const MM = 72 / 25.4;
/**
 * Printed size of one QR module: at least 0.4 mm, so that a phone camera resolves a dense code
 * (version 40) printed at 100 %; 0.5 mm leaves room for printers that shrink to fit.
 */
export const QR_MODULE_MM = 0.5;
/** The QR code is never drawn smaller than this (a short link is a small code). */
const QR_MIN_SIZE = 200;

function color(hex: string | undefined, fallback: [number, number, number]) {
  const m = hex ? /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex) : null;
  const [r, g, b] = m ? [m[1], m[2], m[3]].map((h) => Number.parseInt(h ?? '0', 16) / 255) : fallback;
  return rgb(r ?? 0, g ?? 0, b ?? 0);
}

export interface PdfInput {
  obtained: ObtainedCredential;
  locale: Locale;
  m: Messages;
  qr: CredentialQr;
  /** Caption under the QR code. */
  qrCaption: string;
}

/**
 * One A4 page in the page's language: the card (name, issuer, claims in configured order) and the QR
 * code. Right-to-left languages get the mirrored layout: text right-aligned, labels on the right, the
 * QR code at the bottom right.
 */
export async function credentialPdf({ obtained, locale, m, qr, qrCaption }: PdfInput): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  const shown = localizeType({ ...placeholderType(obtained), display: obtained.typeDisplay }, locale);
  const issuer = pickDisplay(obtained.issuerDisplay, locale)?.name ?? obtained.issuerName;
  pdf.setTitle(shown.name);
  pdf.setAuthor(issuer);
  pdf.setCreator('Attesta portal');
  pdf.setLanguage(locale);
  const page = pdf.addPage(A4);
  const rtl = direction(locale) === 'rtl';
  const text = new PdfText(pdf, rtl ? 'rtl' : 'ltr');
  const [width, height] = A4;
  const inner = width - 2 * MARGIN;
  /** Draws at `x` measured from the start edge of the line (left in ltr, right in rtl). */
  const draw = (line: string, x: number, y: number, style: TextStyle) =>
    text.draw(page, line, rtl ? { x: width - x, y, align: 'right' } : { x, y, align: 'left' }, style);
  const grey = rgb(0.35, 0.38, 0.46);

  page.drawRectangle({
    x: MARGIN,
    y: height - MARGIN - 64,
    width: inner,
    height: 64,
    color: color(shown.background, [0.07, 0.21, 0.36]),
  });
  const title: TextStyle = { size: 22, weight: 700, color: color(shown.text, [1, 1, 1]) };
  const [titleLine = ''] = await text.wrap(shown.name, title, inner - 32);
  await draw(titleLine, MARGIN + 16, height - MARGIN - 40, title);
  let y = height - MARGIN - 90;
  const lead: TextStyle = { size: 10, weight: 400, color: grey };
  const leadText = m.resultLead(
    issuer,
    epochDate(obtained.issuedAt, locale),
    epochDate(obtained.expiresAt, locale),
  );
  for (const line of await text.wrap(leadText, lead, inner)) {
    await draw(line, MARGIN, y, lead);
    y -= 14;
  }
  y -= 8;

  // The code gets the width its modules need (QR_MODULE_MM each, quiet zone included).
  const qrSize = Math.min(inner, Math.max(QR_MIN_SIZE, qr.modules * QR_MODULE_MM * MM));
  const claimsBottom = MARGIN + qrSize + 40;
  const label: TextStyle = { size: 10, weight: 400, color: grey };
  const value: TextStyle = { size: 11, weight: 700, color: rgb(0.11, 0.14, 0.19) };
  for (const claim of flattenClaims(obtained.claims, obtained.claimsMeta, locale)) {
    if (typeof claim.value === 'string' && claim.value.startsWith('data:image/')) continue;
    const shown = (claim.items ?? [claim.value]).map((v) => displayValue(claim.name, v, locale, m));
    // Numbers, identifiers, dates in digits: left to right even on an Arabic page.
    const style: TextStyle = shown.every((s) => s.ltr) ? { ...value, direction: 'ltr' } : value;
    const valueLines = await text.wrap(shown.map((s) => s.text).join(', '), style, inner - LABEL_COLUMN);
    if (y - 16 * valueLines.length < claimsBottom) break;
    const [labelLine = ''] = await text.wrap(claim.labels.join(' / '), label, LABEL_COLUMN - 8);
    await draw(labelLine, MARGIN, y, label);
    for (const line of valueLines) {
      await draw(line, MARGIN + LABEL_COLUMN, y, style);
      y -= 16;
    }
    y -= 2;
  }

  const image = await pdf.embedPng(qr.png);
  page.drawImage(image, {
    x: rtl ? width - MARGIN - qrSize : MARGIN,
    y: MARGIN + 20,
    width: qrSize,
    height: qrSize,
  });
  const caption: TextStyle = { size: 9, weight: 400, color: rgb(0, 0, 0) };
  const captionLines = await text.wrap(qrCaption, caption, inner - qrSize - 16);
  for (const [i, line] of captionLines.entries()) {
    await draw(line, MARGIN + qrSize + 16, MARGIN + qrSize - i * 12, caption);
  }
  if (text.uncovered) {
    // Some value had characters no embedded font covers (CJK, for one): say what the `?` means.
    const note: TextStyle = { size: 8, weight: 400, color: grey };
    for (const [i, line] of (await text.wrap(m.pdfUncovered, note, inner - qrSize - 16)).entries()) {
      await draw(line, MARGIN + qrSize + 16, MARGIN + qrSize - (captionLines.length + 1 + i) * 12, note);
    }
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
