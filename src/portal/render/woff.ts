import { inflateSync } from 'node:zlib';

/**
 * WOFF 1.0 → TrueType/OpenType (sfnt) bytes (W3C WOFF File Format 1.0, §3–§5). The fonts ship as WOFF
 * only, and fontkit's subsetter (which pdf-lib uses to embed a font subset) misreads the `glyf` table
 * of a WOFF font: glyphs reached through GSUB (Arabic joined forms) come out empty. Unpacked to sfnt,
 * the same font subsets correctly — once its glyphs have even lengths (see `evenGlyphs`). Done once per
 * font file and process (fonts.ts caches the result).
 */
export function woffToSfnt(woff: Uint8Array): Uint8Array {
  const src = Buffer.from(woff.buffer, woff.byteOffset, woff.byteLength);
  if (src.toString('latin1', 0, 4) !== 'wOFF') throw new Error('not a WOFF 1.0 font');
  const flavor = src.readUInt32BE(4);
  const numTables = src.readUInt16BE(12);
  const tables: { tag: number; checksum: number; data: Buffer }[] = [];
  for (let i = 0; i < numTables; i++) {
    const entry = 44 + i * 20;
    const offset = src.readUInt32BE(entry + 4);
    const compLength = src.readUInt32BE(entry + 8);
    const origLength = src.readUInt32BE(entry + 12);
    const stored = src.subarray(offset, offset + compLength);
    // §5: a table is zlib-compressed exactly when its stored length is below its original length.
    const data = compLength < origLength ? inflateSync(stored) : stored;
    if (data.length !== origLength) throw new Error('corrupt WOFF table');
    tables.push({ tag: src.readUInt32BE(entry), checksum: src.readUInt32BE(entry + 16), data });
  }
  evenGlyphs(tables);
  // The sfnt offset table and table records (OpenType spec, "Organization of an OpenType Font").
  const entrySelector = Math.floor(Math.log2(numTables));
  const searchRange = 2 ** entrySelector * 16;
  const headerLength = 12 + 16 * numTables;
  const total = tables.reduce((sum, t) => sum + ((t.data.length + 3) & ~3), headerLength);
  const out = Buffer.alloc(total);
  out.writeUInt32BE(flavor, 0);
  out.writeUInt16BE(numTables, 4);
  out.writeUInt16BE(searchRange, 6);
  out.writeUInt16BE(entrySelector, 8);
  out.writeUInt16BE(numTables * 16 - searchRange, 10);
  let offset = headerLength;
  for (const [i, t] of tables.entries()) {
    out.writeUInt32BE(t.tag, 12 + i * 16);
    out.writeUInt32BE(t.checksum, 16 + i * 16);
    out.writeUInt32BE(offset, 20 + i * 16);
    out.writeUInt32BE(t.data.length, 24 + i * 16);
    t.data.copy(out, offset);
    offset += (t.data.length + 3) & ~3; // tables start on 4-byte boundaries, zero padded
  }
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

const tag = (name: string) => Buffer.from(name, 'latin1').readUInt32BE(0);

/**
 * fontkit's subsetter copies glyph records as they are and writes a short `loca` (offsets / 2) when
 * the subset is small, which is only right for even-length records. Noto Sans Arabic has a long
 * `loca` and odd-length glyphs, so its subsets came out corrupt (empty or garbled shapes). Each glyph
 * record is padded here to an even length (allowed: OpenType `loca` notes that glyph records may be
 * padded) and `loca` rewritten in the long format that `head.indexToLocFormat = 1` already says.
 */
function evenGlyphs(tables: { tag: number; checksum: number; data: Buffer }[]): void {
  const head = tables.find((t) => t.tag === tag('head'));
  const loca = tables.find((t) => t.tag === tag('loca'));
  const glyf = tables.find((t) => t.tag === tag('glyf'));
  if (!head || !loca || !glyf || head.data.readInt16BE(50) !== 1) return;
  const count = loca.data.length / 4;
  const offsets = Array.from({ length: count }, (_, i) => loca.data.readUInt32BE(i * 4));
  const parts: Buffer[] = [];
  const newLoca = Buffer.alloc(loca.data.length);
  let at = 0;
  for (let i = 0; i < count; i++) {
    newLoca.writeUInt32BE(at, i * 4);
    if (i === count - 1) break;
    const record = glyf.data.subarray(offsets[i] ?? 0, offsets[i + 1] ?? 0);
    parts.push(record);
    if (record.length % 2) parts.push(Buffer.alloc(1));
    at += record.length + (record.length % 2);
  }
  glyf.data = Buffer.concat(parts);
  loca.data = newLoca;
}
