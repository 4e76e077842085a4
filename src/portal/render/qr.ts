import QRCode from 'qrcode';
import { pixelPassEncode } from './pixelpass.js';

/** Most alphanumeric characters a QR code holds (version 40, error correction L; ISO/IEC 18004 Table 7). */
export const QR_ALPHANUMERIC_CAPACITY = 4296;

export type CredentialQr =
  | { kind: 'inline'; text: string; png: Buffer }
  | { kind: 'link'; text: string; png: Buffer };

async function png(
  segments: QRCode.QRCodeSegment[],
  level: QRCode.QRCodeErrorCorrectionLevel,
): Promise<Buffer> {
  return QRCode.toBuffer(segments, { type: 'png', errorCorrectionLevel: level, margin: 4, scale: 4 });
}

/**
 * The QR code of a credential: the credential itself, compressed as PixelPass does, when it fits;
 * otherwise a short-lived one-time link (made by `link` only then) that returns it.
 */
export async function credentialQr(credential: string, link: () => Promise<string>): Promise<CredentialQr> {
  const text = pixelPassEncode(credential);
  if (text.length <= QR_ALPHANUMERIC_CAPACITY) {
    try {
      return { kind: 'inline', text, png: await png([{ data: text, mode: 'alphanumeric' }], 'L') };
    } catch {
      // too large after all (the capacity also depends on the mode's overhead): use a link
    }
  }
  const url = await link();
  return { kind: 'link', text: url, png: await png([{ data: Buffer.from(url), mode: 'byte' }], 'M') };
}

/** A QR code of any text (a credential offer URI), as a PNG data URI for an <img>. */
export async function qrDataUri(text: string): Promise<string> {
  return QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 4, scale: 5 });
}
