import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { PDFDocument } from '@cantoo/pdf-lib';
import * as fontkit from 'fontkit';
import { woffToSfnt } from './woff.js';

/**
 * The PDF's fonts: Noto Sans and Noto Sans Arabic (SIL Open Font License 1.1), as the WOFF files of the
 * npm packages @fontsource/noto-sans and @fontsource/noto-sans-arabic. Fontsource splits each font by
 * script; a character is drawn with the first file of this list that has a glyph for it. CJK and other
 * scripts are not covered (see `UNCOVERED`).
 */
const FILES = [
  'noto-sans/files/noto-sans-latin',
  'noto-sans/files/noto-sans-latin-ext',
  'noto-sans/files/noto-sans-vietnamese',
  'noto-sans/files/noto-sans-greek',
  'noto-sans/files/noto-sans-greek-ext',
  'noto-sans/files/noto-sans-cyrillic',
  'noto-sans/files/noto-sans-cyrillic-ext',
  'noto-sans-arabic/files/noto-sans-arabic-arabic',
] as const;
export const FACE_COUNT = FILES.length;
/** Index in FILES of the Arabic font, which neutral characters of an Arabic word keep. */
export const ARABIC_FACE = FILES.length - 1;
/** Drawn in place of a character no font covers (the QR code still holds the exact value). */
export const UNCOVERED = '?';

export type Weight = 400 | 700;

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

interface Face {
  bytes: Uint8Array;
  font: fontkit.Font;
}

const require = createRequire(import.meta.url);
/** Read and parsed once per process, on first use: font files are immutable. */
const faces = new Map<string, Face>();

let parses = 0;
/** How many times a font file was parsed in this process (each file once, whatever the PDFs). */
export function fontParses(): number {
  return parses;
}

/**
 * fontkit can read WOFF itself, but it inflates a table (in JavaScript) on every access — for each
 * glyph of a layout or subset — which made a PDF 9× slower (docs/decisions.md); so the files are
 * unpacked to TrueType once, with node's zlib (woff.ts), and fontkit reads those.
 */
function parse(bytes: Uint8Array, postscriptName?: string): fontkit.Font {
  parses++;
  const font = fontkit.create(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), postscriptName);
  if (!font || 'fonts' in font || font instanceof Promise) throw new Error('not a single font');
  return font;
}

export function face(index: number, weight: Weight): Face {
  const key = `${FILES[index] ?? FILES[0]}-${weight}-normal.woff`;
  let found = faces.get(key);
  if (!found) {
    const bytes = woffToSfnt(readFileSync(require.resolve(`@fontsource/${key}`)));
    found = { bytes, font: parse(bytes) };
    faces.set(key, found);
  }
  return found;
}

/**
 * The fontkit given to pdf-lib: `embedFont(bytes)` parses the bytes on every call, so the parse is
 * answered from the cache above when the bytes are one of our font files (same buffer).
 */
export const cachingFontkit: Fontkit = {
  create(bytes: Uint8Array, postscriptName?: string) {
    for (const f of faces.values()) if (f.bytes === bytes && !postscriptName) return f.font as never;
    return parse(bytes, postscriptName) as never;
  },
};

export function hasGlyph(index: number, weight: Weight, codePoint: number): boolean {
  return face(index, weight).font.hasGlyphForCodePoint(codePoint);
}
