import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { inflateSync } from 'node:zlib';
import { PDFArray, PDFDict, PDFDocument, PDFName, type PDFNumber, PDFRawStream } from '@cantoo/pdf-lib';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { decodeQr } from '../helpers/qr.js';

/**
 * Test-side readers of our PDFs, independent of the portal's own verify code: the text shown and the
 * QR code (the image XObject's pixels handed to jsqr). Text is read from the page content streams:
 * each `<hex> Tj` string and the strings of `[…] TJ` arrays, decoded through its font's ToUnicode CMap (embedded Type0 fonts write
 * 2-byte glyph ids) or as Latin-1 (standard fonts); the strings of one baseline are joined left to
 * right, so a right-to-left line reads in visual order (Arabic letters reversed).
 */
export async function pdfText(bytes: Uint8Array, options: { glyphs?: boolean } = {}): Promise<string> {
  const pdf = await PDFDocument.load(bytes);
  const lines: string[] = [];
  for (const page of pdf.getPages()) {
    const maps = new Map<string, Map<number, string>>();
    const fonts = page.node.Resources()?.lookupMaybe(PDFName.of('Font'), PDFDict);
    for (const [name, ref] of fonts?.entries() ?? []) {
      const font = pdf.context.lookup(ref, PDFDict);
      const toUnicode = font.lookup(PDFName.of('ToUnicode'));
      if (toUnicode instanceof PDFRawStream) maps.set(name.toString(), parseToUnicode(streamText(toUnicode)));
    }
    const contents = page.node.Contents();
    const streams = contents instanceof PDFArray ? contents.asArray() : contents ? [contents] : [];
    const shown: { x: number; y: number; text: string }[] = [];
    for (const ref of streams) {
      const stream = pdf.context.lookup(ref);
      if (!(stream instanceof PDFRawStream)) continue;
      let map: Map<number, string> | undefined;
      let x = 0;
      let y = 0;
      // A marked-content span with /ActualText (how the portal writes each run) stands for its glyphs,
      // as it does for copy and paste; `glyphs: true` reads the glyphs through ToUnicode instead.
      let actual: string | undefined;
      const ops =
        /(\/\S+)\s+[\d.]+\s+Tf|([-\d.]+)\s+([-\d.]+)\s+Tm|<([0-9A-Fa-f]*)>\s*Tj|\[([^\]]*)\]\s*TJ|\/ActualText\s*<([0-9A-Fa-f]*)>|(EMC)/g;
      const decode = (hex: string) =>
        map
          ? (hex.match(/.{4}/g) ?? []).map((g) => map?.get(Number.parseInt(g, 16)) ?? '').join('')
          : Buffer.from(hex, 'hex').toString('latin1');
      const show = (text: string) => {
        if (actual === undefined || options.glyphs) shown.push({ x, y, text });
      };
      for (const op of streamText(stream).matchAll(ops)) {
        if (op[1]) map = maps.get(op[1]);
        else if (op[2] !== undefined) {
          x = Number(op[2]);
          y = Number(op[3]);
        } else if (op[4] !== undefined) show(decode(op[4]));
        // A TJ array (glyphs placed one by one): its strings in order, the numbers are only spacing.
        else if (op[5] !== undefined)
          for (const [, hex = ''] of op[5].matchAll(/<([0-9A-Fa-f]*)>/g)) show(decode(hex));
        else if (op[6] !== undefined) actual = utf16(op[6].replace(/^feff/i, ''));
        else if (op[7] && actual !== undefined) {
          if (!options.glyphs) shown.push({ x, y, text: actual });
          actual = undefined;
        }
      }
      const ys = [...new Set(shown.map((s) => s.y))].sort((a, b) => b - a);
      for (const lineY of ys) {
        const parts = shown.filter((s) => s.y === lineY).sort((a, b) => a.x - b.x);
        lines.push(parts.map((p) => p.text).join(''));
      }
      shown.length = 0;
    }
  }
  return lines.join('\n');
}

function streamText(stream: PDFRawStream): string {
  const filter = stream.dict.get(PDFName.of('Filter'))?.toString();
  return (filter === '/FlateDecode' ? inflateSync(stream.contents) : Buffer.from(stream.contents)).toString(
    'latin1',
  );
}

const utf16 = (hex: string) => Buffer.from(hex, 'hex').swap16().toString('utf16le');

/** `bfchar` and `bfrange` entries of a ToUnicode CMap (PDF 32000-1 §9.10.3): glyph id → text. */
function parseToUnicode(cmap: string): Map<number, string> {
  const map = new Map<number, string>();
  for (const block of cmap.matchAll(/beginbfchar([\s\S]*?)endbfchar/g)) {
    for (const [, from = '', to = ''] of (block[1] ?? '').matchAll(/<(\w+)>\s*<(\w+)>/g)) {
      map.set(Number.parseInt(from, 16), utf16(to));
    }
  }
  for (const block of cmap.matchAll(/beginbfrange([\s\S]*?)endbfrange/g)) {
    for (const [, lo = '', hi = '', to = ''] of (block[1] ?? '').matchAll(/<(\w+)>\s*<(\w+)>\s*<(\w+)>/g)) {
      const start = Number.parseInt(lo, 16);
      const last = Buffer.from(to, 'hex');
      for (let id = start; id <= Number.parseInt(hi, 16); id++) {
        const dest = Buffer.from(last);
        dest.writeUInt16BE(last.readUInt16BE(last.length - 2) + id - start, last.length - 2);
        map.set(id, utf16(dest.toString('hex')));
      }
    }
  }
  return map;
}

export async function pdfPageSize(bytes: Uint8Array): Promise<{ width: number; height: number }[]> {
  const pdf = await PDFDocument.load(bytes);
  return pdf.getPages().map((p) => p.getSize());
}

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
    // The PDF holds the code at one pixel per module and scales it when printed; jsQR misreads such
    // small images now and then (content-dependent), so it gets the picture enlarged, nearest
    // neighbour, inside a white quiet zone, as a printer or a screen would show it.
    const scale = Math.max(1, Math.ceil(600 / Math.max(w, h)));
    const margin = 4 * scale;
    const W = w * scale + 2 * margin;
    const H = h * scale + 2 * margin;
    const rgba = new Uint8ClampedArray(W * H * 4).fill(255);
    for (let y = 0; y < h * scale; y++) {
      for (let x = 0; x < w * scale; x++) {
        const source = Math.floor(y / scale) * w + Math.floor(x / scale);
        const target = ((y + margin) * W + x + margin) * 4;
        for (let c = 0; c < 3; c++) rgba[target + c] = raw[source * channels + (channels === 3 ? c : 0)] ?? 0;
      }
    }
    const text = decodeQr(rgba, W, H)?.data ?? (await zxingQr(rgba, W, H));
    if (text) found.push(text);
  }
  return found;
}

let zxingReady: Promise<unknown> | undefined;

/**
 * ZXing (C++ in WebAssembly), for the codes jsQR cannot read: jsQR missed the largest jwt_vc_json
 * card's code (about 1,600 characters), enlarged or not, which zbarimg read from the printed page.
 */
async function zxingQr(rgba: Uint8ClampedArray, width: number, height: number): Promise<string | undefined> {
  zxingReady ??= prepareZXingModule({
    overrides: {
      wasmBinary: readFileSync(createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm'))
        .buffer as ArrayBuffer,
    },
    fireImmediately: true,
  });
  await zxingReady;
  const image = { data: rgba, width, height, colorSpace: 'srgb' } as ImageData;
  const found = await readBarcodes(image, { formats: ['QRCode'], tryHarder: true });
  return found.find((code) => code.isValid && code.text)?.text;
}
