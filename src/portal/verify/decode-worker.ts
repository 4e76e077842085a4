// Runs inside a DecodePool worker thread: every decoder of untrusted bytes lives here, so a slow or
// hungry file costs a worker (terminated by the pool) and never the services' event loop.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PDFDocument, PDFName, PDFNumber, PDFRawStream } from '@cantoo/pdf-lib';
import { prepareZXingModule, type ReaderOptions, readBarcodes } from 'zxing-wasm/reader';
import { pixelPassDecode } from '../render/pixelpass.js';
import { fileKind, inflateCapped, LIMITS, pdfWithinLimits, pngDataWithinHeader } from './measure.js';

export type DecodeTask =
  /** A PNG or JPEG whose header was measured already (`imageWithinLimits`). */
  | { kind: 'image'; bytes: Uint8Array }
  | { kind: 'pdf'; bytes: Uint8Array }
  /** A PixelPass QR payload (base45 → zlib → CBOR or UTF-8), at most `LIMITS.base45Chars` long. */
  | { kind: 'pixelpass'; text: string };

/** The texts found (QR codes' contents, or the decoded payload); empty when nothing readable. */
export interface DecodeResult {
  texts: string[];
}

// The ZXing WebAssembly binary ships in the package; loading it from there keeps the reader offline
// (by default zxing-wasm would fetch it from a CDN).
await prepareZXingModule({
  overrides: {
    wasmBinary: readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
      .buffer as ArrayBuffer,
  },
  fireImmediately: true,
});

const QR_ONLY: ReaderOptions = {
  formats: ['QRCode'],
  tryHarder: true,
  tryInvert: true,
  maxNumberOfSymbols: 4,
};

async function qrTexts(input: Blob | ImageData): Promise<string[]> {
  const found = await readBarcodes(input, QR_ONLY);
  return found.filter((code) => code.isValid && code.text).map((code) => code.text);
}

/** A PNG or JPEG picture, decoded by ZXing's own image reader inside WebAssembly memory. */
async function fromImage(bytes: Buffer): Promise<string[]> {
  if (fileKind(bytes) === 'png' && !pngDataWithinHeader(bytes)) return [];
  return qrTexts(new Blob([new Uint8Array(bytes)]));
}

/**
 * The QR codes of a PDF, once it is measured (`pdfWithinLimits`): every 8-bit RGB or grey image
 * XObject compressed with FlateDecode (what pdf-lib writes for an embedded PNG) is inflated, within
 * its declared size, and read.
 */
async function fromPdf(bytes: Buffer): Promise<string[]> {
  if (!pdfWithinLimits(bytes)) return [];
  const pdf = await PDFDocument.load(bytes, { updateMetadata: false, throwOnInvalidObject: false });
  if (pdf.getPageCount() > LIMITS.pdfPages) return [];
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
    if (!channels || !(w > 0 && h > 0) || w * h > LIMITS.pixels) continue;
    const raw = inflateCapped(Buffer.from(object.contents), w * h * channels + 16);
    if (typeof raw === 'string' || raw.length < w * h * channels) continue;
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      for (let c = 0; c < 3; c++) rgba[i * 4 + c] = raw[i * channels + (channels === 3 ? c : 0)] ?? 0;
      rgba[i * 4 + 3] = 255;
    }
    found.push(...(await qrTexts({ data: rgba, width: w, height: h, colorSpace: 'srgb' } as ImageData)));
  }
  return found;
}

/** PixelPass, with its output capped: CBOR may share values, so JSON can outgrow what was inflated. */
function fromPixelPass(text: string): string[] {
  try {
    const decoded = pixelPassDecode(text);
    return decoded.length <= LIMITS.pixelPassBytes ? [decoded] : [];
  } catch {
    return []; // not a PixelPass payload
  }
}

export default async function decode(task: DecodeTask): Promise<DecodeResult> {
  try {
    if (task.kind === 'pixelpass') return { texts: fromPixelPass(task.text) };
    const bytes = Buffer.from(task.bytes.buffer, task.bytes.byteOffset, task.bytes.length);
    return { texts: task.kind === 'pdf' ? await fromPdf(bytes) : await fromImage(bytes) };
  } catch {
    return { texts: [] }; // malformed: nothing readable
  }
}
