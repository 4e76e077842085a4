import { createDeflate, deflateSync } from 'node:zlib';

/**
 * Hostile uploads for the verify page, built byte by byte from the file formats' own specifications
 * (PNG: RFC 2083 / W3C PNG; JPEG: ITU T.81; PDF: ISO 32000; zlib: RFC 1950), not with our code.
 * Each is small on the wire and huge or slow once decoded naively.
 */

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function png(width: number, height: number, bitDepth: number, colorType: number, idat: Buffer): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.writeUInt8(bitDepth, 8);
  ihdr.writeUInt8(colorType, 9);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A PNG of a few dozen bytes that declares `side`×`side` RGBA pixels (an empty zlib stream as data). */
export function tinyHugePng(side = 30000): Buffer {
  return png(side, side, 8, 6, deflateSync(Buffer.alloc(0)));
}

/**
 * A real, complete 1-bit greyscale PNG of `side`×`side` black pixels: rows of zeros compress about
 * 1000:1, so 20000² pixels (50 MB of rows, 1.6 GB as RGBA) fit in ~50 KB.
 */
export function compressedHugePng(side = 20000): Buffer {
  const row = Buffer.alloc(1 + Math.ceil(side / 8));
  const rows = Buffer.alloc(row.length * side);
  return png(side, side, 1, 0, deflateSync(rows, { level: 9 }));
}

/** A baseline JPEG whose frame header (SOF0) declares 65500×65500 pixels, three components. */
export function hugeJpeg(): Buffer {
  const quant = Buffer.concat([Buffer.from([0xff, 0xdb, 0x00, 0x43, 0x00]), Buffer.alloc(64, 1)]);
  const sof = Buffer.from([
    0xff, 0xc0, 0x00, 0x11, 0x08, 0xff, 0xdc, 0xff, 0xdc, 0x03, 0x01, 0x11, 0x00, 0x02, 0x11, 0x00, 0x03,
    0x11, 0x00,
  ]);
  // One DC and one AC Huffman table with a single 1-bit code each, then a scan of zero bits.
  const dht = Buffer.from([
    0xff, 0xc4, 0x00, 0x14, 0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0xff, 0xc4, 0x00,
    0x14, 0x10, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00,
  ]);
  const sos = Buffer.from([
    0xff, 0xda, 0x00, 0x0c, 0x03, 0x01, 0x00, 0x02, 0x00, 0x03, 0x00, 0x00, 0x3f, 0x00,
  ]);
  return Buffer.concat([
    Buffer.from([0xff, 0xd8]),
    quant,
    sof,
    dht,
    sos,
    Buffer.alloc(4096),
    Buffer.from([0xff, 0xd9]),
  ]);
}

/** zlib (RFC 1950) of `megabytes` MB of one byte value, deflated 1 MB at a time (never held whole). */
export async function deflatedRun(byte: number, megabytes: number): Promise<Buffer> {
  const deflate = createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise((resolve, reject) => deflate.on('end', resolve).on('error', reject));
  const block = Buffer.alloc(1024 * 1024, byte);
  for (let i = 0; i < megabytes; i++) {
    if (!deflate.write(block)) await new Promise((resolve) => deflate.once('drain', resolve));
  }
  deflate.end();
  await done;
  return Buffer.concat(out);
}

/** A PDF from numbered object bodies, with a correct cross-reference table (ISO 32000-1 §7.5). */
function pdf(objects: (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [Buffer.from('%PDF-1.7\n')];
  const offsets: number[] = [];
  let length = parts[0]?.length ?? 0;
  objects.forEach((body, i) => {
    offsets.push(length);
    const bytes = Buffer.concat([
      Buffer.from(`${i + 1} 0 obj\n`),
      Buffer.from(body),
      Buffer.from('\nendobj\n'),
    ]);
    parts.push(bytes);
    length += bytes.length;
  });
  const xref = [
    `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`,
    ...offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`),
    `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${length}\n%%EOF\n`,
  ].join('');
  return Buffer.concat([...parts, Buffer.from(xref)]);
}

function stream(dict: string, data: Buffer): Buffer {
  return Buffer.concat([
    Buffer.from(`<< ${dict} /Length ${data.length} >>\nstream\n`),
    data,
    Buffer.from('\nendstream'),
  ]);
}

/**
 * A zip-style PDF: one FlateDecode stream (an object stream, which a parser inflates to find the
 * objects inside) that inflates to `megabytes` MB of spaces.
 */
export async function flateBombPdf(megabytes = 128): Promise<Buffer> {
  const chunk = await deflatedRun(0x20, megabytes);
  return pdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [] /Count 0 >>',
    stream('/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode', chunk),
  ]);
}

/** A PDF of `count` tiny objects and as many pages (a parser builds an object for each). */
export function manyObjectsPdf(count = 40_000): Buffer {
  const kids = Array.from({ length: count }, (_, i) => `${i + 3} 0 R`).join(' ');
  return pdf([
    '<< /Type /Catalog /Pages 2 0 R >>',
    `<< /Type /Pages /Kids [${kids}] /Count ${count} >>`,
    ...Array.from({ length: count }, () => '<< /Type /Page /Parent 2 0 R >>'),
  ]);
}

/** JSON nested `depth` arrays deep, as the `credential` of our JSON download. */
export function deepJson(depth = 1_000_000): string {
  return `{"credential":${'['.repeat(depth)}${']'.repeat(depth)}}`;
}

/** `length` characters of the base45 alphabet (RFC 9285), what a PixelPass QR payload looks like. */
export function longBase45(length = 3_000_000): string {
  return '0A1B2C3D4E5F6G7H8I9J'.repeat(Math.ceil(length / 20)).slice(0, length);
}

/** RFC 9285 base45 of bytes (written here from the RFC, independent of the portal's). */
export function base45(bytes: Buffer): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
  let out = '';
  for (let i = 0; i < bytes.length; i += 2) {
    if (i + 1 < bytes.length) {
      const n = (bytes[i] as number) * 256 + (bytes[i + 1] as number);
      out +=
        alphabet[n % 45] + (alphabet[Math.floor(n / 45) % 45] as string) + alphabet[Math.floor(n / 2025)];
    } else {
      const n = bytes[i] as number;
      out += (alphabet[n % 45] as string) + alphabet[Math.floor(n / 45)];
    }
  }
  return out;
}

/** A PixelPass-style payload (base45 of zlib) that inflates to `megabytes` MB of zeros. */
export async function zlibBombBase45(megabytes = 64): Promise<string> {
  return base45(await deflatedRun(0, megabytes));
}

/** Every bomb, as it goes into the verify form: a file upload or a text field. */
export async function bombSet(): Promise<{ name: string; file?: Buffer; text?: string }[]> {
  return [
    { name: 'tiny PNG declaring 30000² px', file: tinyHugePng() },
    { name: '50 KB PNG of 20000² px', file: compressedHugePng() },
    { name: 'JPEG declaring 65500² px', file: hugeJpeg() },
    { name: 'PDF with a 128 MB FlateDecode stream', file: await flateBombPdf() },
    { name: 'PDF with 40,000 objects', file: manyObjectsPdf() },
    { name: 'zlib bomb in base45', text: await zlibBombBase45() },
    { name: 'deep JSON', text: deepJson() },
    { name: 'long base45', text: longBase45() },
  ];
}
