import { inflateSync } from 'node:zlib';
import { imageSize } from 'image-size';

/**
 * Limits of the verify page's untrusted input, checked from headers and with capped inflation
 * before anything is decoded (docs/security.md, Bounded input). A limit that is hit means "nothing
 * readable here", never a partial decode.
 */
export const LIMITS = {
  /** A QR code of ours is ~1000 px wide; a phone photo scaled to 2048² is plenty. */
  pixels: 2048 * 2048,
  /** Longest side, so a 1×4M-pixel strip does not pass the pixel limit. */
  side: 8192,
  pdfPages: 16,
  /** Indirect objects written out in a PDF (ours have under 100). */
  pdfObjects: 2000,
  /** Everything a PDF's streams inflate to, together (ours: fonts + one QR image, ~4 MB). */
  pdfInflatedBytes: 32 * 1024 * 1024,
  /** QR capacity in alphanumeric mode, version 40-L (ISO/IEC 18004:2015 Table 7): a PixelPass payload. */
  base45Chars: 4296,
  /** What a PixelPass payload may inflate to (zlib) and its CBOR may re-serialize to (JSON). */
  pixelPassBytes: 256 * 1024,
  /** Pasted or downloaded credential text; JSON(-LD) deeper than `jsonDepth` is refused unparsed. */
  credentialChars: 256 * 1024,
  jsonLdChars: 128 * 1024,
  jsonDepth: 32,
} as const;

export type FileKind = 'pdf' | 'png' | 'jpeg';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** JPEG SOI marker followed by the first segment's marker prefix (a phone photo or a scan). */
const JPEG_SIGNATURE = Buffer.from([0xff, 0xd8, 0xff]);

export function fileKind(bytes: Uint8Array): FileKind | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, 8));
  if (head.subarray(0, 5).toString('latin1') === '%PDF-') return 'pdf';
  if (head.equals(PNG_SIGNATURE)) return 'png';
  if (head.subarray(0, 3).equals(JPEG_SIGNATURE)) return 'jpeg';
  return undefined;
}

/**
 * A picture's size from its header (PNG IHDR, JPEG SOF), without decoding it; undefined when the
 * header is unreadable or the picture is over the limits.
 */
export function imageWithinLimits(bytes: Uint8Array): { width: number; height: number } | undefined {
  try {
    const { width, height } = imageSize(bytes);
    if (!width || !height || width > LIMITS.side || height > LIMITS.side) return undefined;
    return width * height <= LIMITS.pixels ? { width, height } : undefined;
  } catch {
    return undefined;
  }
}

/** Bytes per pixel row of a PNG, plus its filter byte (PNG §7.2), from IHDR's bit depth and colour type. */
function pngRowBytes(width: number, bitDepth: number, colorType: number): number {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[colorType] ?? 4;
  return 1 + Math.ceil((width * channels * bitDepth) / 8);
}

/**
 * A PNG's image data (its IDAT chunks) inflates to no more than its header allows: the decoder that
 * reads it afterwards grows its buffer for whatever the stream yields, so a 100×100 picture could
 * otherwise carry a gigabyte.
 */
export function pngDataWithinHeader(png: Buffer): boolean {
  const width = png.readUInt32BE(16);
  const height = png.readUInt32BE(20);
  const bitDepth = png[24] ?? 8;
  const colorType = png[25] ?? 6;
  // Interlaced (Adam7) data has seven passes, each with its own filter bytes: at most 7 × height more.
  const expected = pngRowBytes(width, bitDepth, colorType) * height + 7 * height + 64;
  const idat: Buffer[] = [];
  for (let at = 8; at + 8 <= png.length; ) {
    const length = png.readUInt32BE(at);
    const type = png.toString('latin1', at + 4, at + 8);
    if (type === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + length));
    at += 12 + length;
  }
  return inflateCapped(Buffer.concat(idat), expected) !== 'over';
}

/** Inflates zlib data up to `cap` bytes: the bytes, `over` past the cap, `invalid` if not zlib. */
export function inflateCapped(data: Buffer, cap: number): Buffer | 'over' | 'invalid' {
  try {
    return inflateSync(data, { maxOutputLength: Math.max(1, cap) });
  } catch (error) {
    return (error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE' ? 'over' : 'invalid';
  }
}

const STREAM_START = /\bstream(?:\r\n|\n|\r)/g;
/** Stream filters we inflate ourselves above (§7.4.4) or hand to the QR reader as JPEG (§7.4.8). */
const KNOWN_FILTER = /\/Filter\s*(?:\/(?:FlateDecode|DCTDecode)|\[\s*(?:\/(?:FlateDecode|DCTDecode)\s*)+\])/g;
/** A name written with #xx escapes (§7.3.5) could spell a filter the checks above do not see. */
const ESCAPED_NAME = /\/[^\s()<>[\]{}/%]*#[0-9A-Fa-f]{2}/;
const OBJECT = /\b\d{1,10}\s+\d{1,5}\s+obj\b/g;
const PAGE = /\/Type\s*\/Page(?![a-zA-Z])/g;

/**
 * A PDF measured before it is parsed (ISO 32000-1 §7.3.8, §7.5): filters, objects written out, pages,
 * and what every stream inflates to. Each stream is inflated with the budget left, so a zip-style
 * stream stops at the cap; object streams (§7.5.7) are searched for pages too.
 */
export function pdfWithinLimits(pdf: Buffer): boolean {
  const text = pdf.toString('latin1');
  const streams: Buffer[] = [];
  let outside = '';
  let from = 0;
  for (const match of text.matchAll(STREAM_START)) {
    const start = (match.index ?? 0) + match[0].length;
    if (start < from) continue;
    if (streams.length >= LIMITS.pdfObjects) return false;
    const end = text.indexOf('endstream', start);
    outside += text.slice(from, start);
    streams.push(pdf.subarray(start, end === -1 ? pdf.length : end));
    from = end === -1 ? pdf.length : end;
  }
  outside += text.slice(from);
  // Every filter must be one whose output is measured here: an LZW or ASCIIHex stage would decode unmeasured.
  const filters = outside.split('/Filter').length - 1;
  if ([...outside.matchAll(KNOWN_FILTER)].length !== filters || ESCAPED_NAME.test(outside)) return false;
  if ([...outside.matchAll(OBJECT)].length > LIMITS.pdfObjects) return false;
  let pages = [...outside.matchAll(PAGE)].length;
  let inflated = 0;
  for (const stream of streams) {
    const data = inflateCapped(stream, LIMITS.pdfInflatedBytes - inflated);
    if (data === 'over') return false;
    if (data === 'invalid') continue;
    inflated += data.length;
    // Object streams (§7.5.7) hold objects, pages among them; page contents never say /Type /Page.
    pages += [...data.toString('latin1').matchAll(PAGE)].length;
    if (pages > LIMITS.pdfPages) return false;
  }
  return pages <= LIMITS.pdfPages;
}

/**
 * JSON measured before `JSON.parse`: length and nesting depth (brackets outside strings), so a
 * deeply nested document never reaches a recursive parser or the JSON-LD processor.
 */
export function jsonWithinLimits(text: string, maxChars: number): boolean {
  if (text.length > maxChars) return false;
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > LIMITS.jsonDepth) return false;
    } else if (c === 0x7d || c === 0x5d) depth--;
  }
  return true;
}
