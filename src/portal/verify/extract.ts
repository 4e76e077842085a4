import { inflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import jsqrModule from 'jsqr';
import { PDFDocument, PDFName, PDFNumber, PDFRawStream } from 'pdf-lib';
import { PNG } from 'pngjs';
import { pixelPassDecode } from '../render/pixelpass.js';

type JsQr = typeof import('jsqr')['default'];
/** jsqr is CommonJS with `exports.default`: under NodeNext the default import is `module.exports`. */
const jsQR: JsQr = (jsqrModule as unknown as { default?: JsQr }).default ?? (jsqrModule as unknown as JsQr);

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47]);
/** JPEG SOI marker followed by the first segment's marker prefix (a phone photo or a scan). */
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);
const BASE45 = /^[0-9A-Z $%*+\-./:]+$/;
/** A QR code of ours is under 1000 pixels wide; a phone photo scaled to 2048² is plenty. */
const MAX_PIXELS = 2048 * 2048;

/** Reads a QR code from RGBA pixels with jsQR; undefined when there is none. */
function readQr(rgba: Uint8ClampedArray, width: number, height: number): string | undefined {
  return jsQR(rgba, width, height, { inversionAttempts: 'attemptBoth' })?.data || undefined;
}

export function qrFromPng(bytes: Buffer): string | undefined {
  const png = PNG.sync.read(bytes);
  if (png.width * png.height > MAX_PIXELS) return undefined;
  return readQr(new Uint8ClampedArray(png.data), png.width, png.height);
}

/** A QR code in a JPEG picture; decoding is bounded in pixels and memory (untrusted upload). */
export function qrFromJpeg(bytes: Buffer): string | undefined {
  const image = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    maxResolutionInMP: MAX_PIXELS / 1_000_000,
    maxMemoryUsageInMB: 128,
  });
  return readQr(new Uint8ClampedArray(image.data), image.width, image.height);
}

/**
 * The QR codes of a PDF: every 8-bit RGB or grey image XObject compressed with FlateDecode (what
 * pdf-lib writes for an embedded PNG) is inflated and handed to jsQR.
 */
export async function qrFromPdf(bytes: Buffer): Promise<string[]> {
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false });
  const found: string[] = [];
  for (const [, object] of pdf.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    const dict = object.dict;
    if (dict.get(PDFName.of('Subtype'))?.toString() !== '/Image') continue;
    if (dict.get(PDFName.of('Filter'))?.toString() !== '/FlateDecode') continue;
    const width = dict.get(PDFName.of('Width'));
    const height = dict.get(PDFName.of('Height'));
    const space = dict.get(PDFName.of('ColorSpace'))?.toString();
    if (!(width instanceof PDFNumber) || !(height instanceof PDFNumber)) continue;
    const w = width.asNumber();
    const h = height.asNumber();
    const channels = space === '/DeviceRGB' ? 3 : space === '/DeviceGray' ? 1 : 0;
    if (!channels || w * h > MAX_PIXELS) continue;
    const raw = inflateSync(object.contents, { maxOutputLength: w * h * channels + 16 });
    if (raw.length < w * h * channels) continue;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      for (let c = 0; c < 3; c++) rgba[i * 4 + c] = raw[i * channels + (channels === 3 ? c : 0)] ?? 0;
      rgba[i * 4 + 3] = 255;
    }
    const text = readQr(rgba, w, h);
    if (text) found.push(text);
  }
  return found;
}

export interface ExtractOptions {
  /** Takes the credential of one of our one-time links (`…/r/<id>`), when the text is one. */
  retrieve: (url: string) => Promise<string | undefined>;
}

/**
 * The credential in a piece of text: a compact SD-JWT/JWT, our JSON download, a PixelPass QR
 * payload, or one of our one-time links. Undefined when none of these.
 */
export async function credentialFromText(
  text: string,
  options: ExtractOptions,
  depth = 0,
): Promise<string | undefined> {
  const value = text.trim();
  if (!value || depth > 2) return undefined;
  if (/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*(~[A-Za-z0-9_.~-]*)?$/.test(value)) return value;
  if (value.startsWith('{')) {
    try {
      const json = JSON.parse(value) as { credential?: unknown };
      if (typeof json.credential === 'string') return credentialFromText(json.credential, options, depth + 1);
      if (typeof json.credential === 'object' && json.credential !== null)
        return JSON.stringify(json.credential);
      return value;
    } catch {
      return undefined;
    }
  }
  if (/^https?:\/\//.test(value)) return options.retrieve(value);
  if (BASE45.test(value)) {
    try {
      const decoded = await credentialFromText(pixelPassDecode(value), options, depth + 1);
      if (decoded) return decoded;
    } catch {
      // not a PixelPass payload
    }
  }
  // An mdoc IssuerSigned as OpenID4VCI returns it (base64url CBOR).
  if (/^[A-Za-z0-9_-]{64,}$/.test(value)) return value;
  return undefined;
}

/** The credential in an uploaded file: a PDF (its QR code), a PNG or JPEG picture of a QR code, or text. */
export async function credentialFromFile(
  bytes: Buffer,
  options: ExtractOptions,
): Promise<string | undefined> {
  try {
    if (bytes.subarray(0, 5).toString('latin1') === '%PDF-') {
      for (const text of await qrFromPdf(bytes)) {
        const credential = await credentialFromText(text, options);
        if (credential) return credential;
      }
      return undefined;
    }
    if (bytes.subarray(0, 4).equals(PNG_SIGNATURE)) {
      const text = qrFromPng(bytes);
      return text ? credentialFromText(text, options) : undefined;
    }
    if (bytes.subarray(0, 3).equals(JPEG_SIGNATURE)) {
      const text = qrFromJpeg(bytes);
      return text ? credentialFromText(text, options) : undefined;
    }
  } catch {
    return undefined;
  }
  return credentialFromText(bytes.toString('utf8'), options);
}
