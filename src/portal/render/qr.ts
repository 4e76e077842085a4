import QRCode from 'qrcode';
import { pixelPassEncode } from './pixelpass.js';

/** Most alphanumeric characters a QR code holds (version 40, error correction L; ISO/IEC 18004 Table 7). */
export const QR_ALPHANUMERIC_CAPACITY = 4296;

/** The quiet zone around a code, in modules (ISO/IEC 18004 §6.3.8: four). */
const QUIET_ZONE = 4;

export interface CredentialQr {
  kind: 'inline' | 'link';
  text: string;
  png: Buffer;
  /** Modules across, quiet zone included: what the printed size is made of. */
  modules: number;
}

async function png(
  segments: QRCode.QRCodeSegment[],
  level: QRCode.QRCodeErrorCorrectionLevel,
): Promise<{ png: Buffer; modules: number }> {
  const { modules } = QRCode.create(segments, { errorCorrectionLevel: level });
  const image = await QRCode.toBuffer(segments, {
    type: 'png',
    errorCorrectionLevel: level,
    margin: QUIET_ZONE,
    scale: 4,
  });
  return { png: image, modules: modules.size + 2 * QUIET_ZONE };
}

/**
 * The QR code of a credential: the credential itself, compressed as PixelPass does, when it fits;
 * otherwise a short-lived one-time link (made by `link` only then) that returns it.
 */
export async function credentialQr(credential: string, link: () => Promise<string>): Promise<CredentialQr> {
  const text = pixelPassEncode(credential);
  if (text.length <= QR_ALPHANUMERIC_CAPACITY) {
    try {
      return { kind: 'inline', text, ...(await png([{ data: text, mode: 'alphanumeric' }], 'L')) };
    } catch {
      // too large after all (the capacity also depends on the mode's overhead): use a link
    }
  }
  const url = await link();
  return { kind: 'link', text: url, ...(await png([{ data: Buffer.from(url), mode: 'byte' }], 'M')) };
}

/** A QR code of any text (a credential offer URI), as a PNG data URI for an <img>. */
export async function qrDataUri(text: string): Promise<string> {
  return QRCode.toDataURL(text, { errorCorrectionLevel: 'M', margin: 4, scale: 5 });
}
