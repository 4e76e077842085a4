import { inflateSync } from 'node:zlib';
import jsQR from 'jsqr';
import { PDFArray, PDFDocument, PDFName, type PDFNumber, PDFRawStream } from 'pdf-lib';

/**
 * Test-side readers of our PDFs, independent of the portal's own verify code: the text shown (the
 * `<hex> Tj` strings of the page content streams, which is how pdf-lib writes standard-font text)
 * and the QR code (the image XObject's pixels handed to jsqr).
 */
export async function pdfText(bytes: Uint8Array): Promise<string> {
  const pdf = await PDFDocument.load(bytes);
  const lines: string[] = [];
  for (const page of pdf.getPages()) {
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
    for (const ref of streams) {
      const stream = pdf.context.lookup(ref);
      if (!(stream instanceof PDFRawStream)) continue;
      const filter = stream.dict.get(PDFName.of('Filter'))?.toString();
      const raw = filter === '/FlateDecode' ? inflateSync(stream.contents) : Buffer.from(stream.contents);
      for (const match of raw.toString('latin1').matchAll(/<([0-9A-Fa-f]*)>\s*Tj/g)) {
        lines.push(Buffer.from(match[1] ?? '', 'hex').toString('latin1'));
      }
    }
  }
  return lines.join('\n');
}

export async function pdfPageSize(bytes: Uint8Array): Promise<{ width: number; height: number }[]> {
  const pdf = await PDFDocument.load(bytes);
  return pdf.getPages().map((p) => p.getSize());
}

type JsQr = typeof import('jsqr')['default'];
/** jsqr is CommonJS with `exports.default`: under NodeNext the default import is `module.exports`. */
export const decodeQr: JsQr = (jsQR as unknown as { default?: JsQr }).default ?? (jsQR as unknown as JsQr);

export async function pdfQrCodes(bytes: Uint8Array): Promise<string[]> {
  const pdf = await PDFDocument.load(bytes);
  const found: string[] = [];
  for (const [, object] of pdf.context.enumerateIndirectObjects()) {
    if (!(object instanceof PDFRawStream)) continue;
    if (object.dict.get(PDFName.of('Subtype'))?.toString() !== '/Image') continue;
    const w = (object.dict.get(PDFName.of('Width')) as PDFNumber).asNumber();
    const h = (object.dict.get(PDFName.of('Height')) as PDFNumber).asNumber();
    const channels = object.dict.get(PDFName.of('ColorSpace'))?.toString() === '/DeviceRGB' ? 3 : 1;
    const raw = inflateSync(object.contents);
    const rgba = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) {
      for (let c = 0; c < 3; c++) rgba[i * 4 + c] = raw[i * channels + (channels === 3 ? c : 0)] ?? 0;
      rgba[i * 4 + 3] = 255;
    }
    const code = decodeQr(rgba, w, h);
    if (code) found.push(code.data);
  }
  return found;
}
