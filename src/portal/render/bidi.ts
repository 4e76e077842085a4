import bidiModule from 'bidi-js';

/**
 * The Unicode Bidirectional Algorithm (UAX #9) for one line of PDF text, on bidi-js.
 *
 * pdf-lib draws glyphs left to right in the order it is given them. fontkit shapes an Arabic string
 * (joined forms, lam-alef) and returns its glyphs already reversed, in visual order — but only for a
 * run of one script: a line mixing Arabic with digits or Latin ("صادرة عن Attesta بتاريخ 2026-11-28")
 * would come out with the digits and Latin words reversed too. So bidi-js resolves each character's
 * embedding level (the whole algorithm: numbers, neutrals, explicit embeddings and isolates such as
 * U+2066 LEFT-TO-RIGHT ISOLATE), the runs are put in visual order here (rule L2, brackets mirrored
 * per L4), and each run is drawn on its own. Lines are trimmed, so L1 has nothing to do.
 */

type BidiFactory = typeof import('bidi-js')['default'];
/** bidi-js is CommonJS: under NodeNext its default import may be the factory or carry it as `default`. */
const bidiFactory: BidiFactory =
  (bidiModule as unknown as { default?: BidiFactory }).default ?? (bidiModule as unknown as BidiFactory);
const bidi = bidiFactory();

/** Explicit formatting characters (marks, embeddings, isolates): they steer the levels and are not drawn. */
const CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
/** Hebrew, Arabic, Syriac, Thaana, NKo … and the Arabic presentation forms are right to left. */
const RTL_LETTER = /[\u0590-\u05ff\u0600-\u065f\u066a-\u06ef\u06fa-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/u;
const MIRRORED: Record<string, string> = {
  '(': ')',
  ')': '(',
  '[': ']',
  ']': '[',
  '{': '}',
  '}': '{',
  '<': '>',
  '>': '<',
  '«': '»',
  '»': '«',
  '‹': '›',
  '›': '‹',
};

/** `rtl` for text whose first strong character is right to left, `ltr` for Latin…, else `undefined`. */
export function firstStrongDirection(text: string): 'ltr' | 'rtl' | undefined {
  for (const c of text) {
    const type = bidi.getBidiCharTypeName(c);
    if (type === 'R' || type === 'AL') return 'rtl';
    if (type === 'L') return 'ltr';
  }
  return undefined;
}

/** Embedding level of each character (code point) of `chars`, at paragraph level `base` (0 or 1). */
export function bidiLevels(chars: string[], base: 0 | 1): number[] {
  const text = chars.join('');
  const { levels } = bidi.getEmbeddingLevels(text, base ? 'rtl' : 'ltr');
  // bidi-js counts UTF-16 code units: a code point takes the level of its first unit.
  const out: number[] = [];
  let unit = 0;
  for (const c of chars) {
    out.push(levels[unit] ?? base);
    unit += c.length;
  }
  return out;
}

export interface VisualRun {
  /** The characters, in logical order when `shapeRtl` (fontkit reverses them), else in visual order. */
  text: string;
  /** The characters in logical (reading) order. */
  logical: string;
  /** Index of the font chosen for the run (`fontOf`). */
  font: number;
  /** A right-to-left run that fontkit shapes and reverses itself (it holds right-to-left letters). */
  shapeRtl: boolean;
}

/**
 * The runs of one line in visual order (left to right on the page). `fontOf(c, i)` picks a font per
 * character; a run has one font and one level.
 */
export function visualRuns(
  line: string,
  pageDirection: 'ltr' | 'rtl',
  fontOf: (chars: string[], i: number) => number,
): VisualRun[] {
  const all = [...line.normalize('NFC')];
  const base = (firstStrongDirection(line) ?? pageDirection) === 'rtl' ? 1 : 0;
  const allLevels = bidiLevels(all, base);
  // The formatting characters have done their work on the levels: they are not drawn.
  const kept = all.map((c, i) => (CONTROLS.test(c) ? -1 : i)).filter((i) => i >= 0);
  const chars = kept.map((i) => all[i] ?? '');
  const levels = kept.map((i) => allLevels[i] ?? base);
  const fonts = chars.map((_, i) => fontOf(chars, i));
  // L2: from the highest level down to the lowest odd one, reverse every sequence at that level or above.
  const order = chars.map((_, i) => i);
  const max = Math.max(0, ...levels);
  for (let level = max; level >= 1; level--) {
    for (let i = 0; i < order.length; i++) {
      if ((levels[order[i] ?? 0] ?? 0) < level) continue;
      let end = i;
      while (end < order.length && (levels[order[end] ?? 0] ?? 0) >= level) end++;
      order.splice(i, end - i, ...order.slice(i, end).reverse());
      i = end;
    }
  }
  const runs: VisualRun[] = [];
  let current: { indexes: number[]; font: number; level: number; mirrored: boolean } | undefined;
  const flush = () => {
    if (!current) return;
    const odd = current.level % 2 === 1;
    const text = current.indexes.map((i) => chars[i] ?? '');
    const shapeRtl = odd && text.some((c) => RTL_LETTER.test(c));
    // A right-to-left run of letters goes to fontkit in logical order (it shapes and reverses it);
    // anything else is already in visual order, with brackets mirrored (L4).
    const logical = odd ? [...text].reverse().join('') : text.join('');
    runs.push({
      text: shapeRtl ? logical : text.map((c) => (odd ? (MIRRORED[c] ?? c) : c)).join(''),
      logical,
      font: current.font,
      shapeRtl,
    });
    current = undefined;
  };
  for (const i of order) {
    const font = fonts[i] ?? 0;
    const level = levels[i] ?? 0;
    // Mirrored brackets get runs of their own so that they never reach fontkit's right-to-left shaping.
    const mirrored = level % 2 === 1 && (chars[i] ?? '') in MIRRORED;
    if (!current || current.font !== font || current.level !== level || mirrored || current.mirrored) {
      flush();
      current = { indexes: [], font, level, mirrored };
    }
    current.indexes.push(i);
  }
  flush();
  return runs;
}
