/**
 * A small subset of the Unicode Bidirectional Algorithm (UAX #9) for one line of PDF text.
 *
 * pdf-lib draws glyphs left to right in the order it is given them. fontkit shapes an Arabic string
 * (joined forms, lam-alef) and returns its glyphs already reversed, in visual order — but only for a
 * run of one script: a line mixing Arabic with digits or Latin ("صادرة عن Attesta بتاريخ 2026-11-28")
 * would come out with the digits and Latin words reversed too. So a line is cut into runs with their
 * embedding levels here, the runs are put in visual order (rule L2), and each run is drawn on its own.
 *
 * Covered: paragraph level from the first strong character (P2/P3) or the page's; numbers (W2/W4/W7:
 * `1994-11-03` stays one number, digits after Latin take its direction); neutrals between two strong
 * types (N1/N2); levels (I1/I2); reordering (L2) and mirrored brackets (L4). Not covered, because card
 * values do not need them: explicit embeddings and isolates (their control characters are dropped),
 * terminators such as `%` (W5) and the trailing-whitespace rule (L1: lines are trimmed).
 */

type BidiClass = 'L' | 'R' | 'EN' | 'AN' | 'CS' | 'N';

const CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu;
/** Hebrew, Arabic, Syriac, Thaana, NKo … and the Arabic presentation forms are right to left. */
const RTL_LETTER = /[\u0590-\u05ff\u0600-\u065f\u066a-\u06ef\u06fa-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/u;
const ARABIC_DIGIT = /[\u0660-\u0669]/u;
const EUROPEAN_DIGIT = /[0-9\u06f0-\u06f9]/u;
/** Common separators (ES and CS): a single one between two numbers of the same kind joins them (W4). */
const SEPARATOR = /[+\-,./:]/u;
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

function classOf(c: string, previous: BidiClass | undefined): BidiClass {
  if (RTL_LETTER.test(c)) return 'R';
  if (ARABIC_DIGIT.test(c)) return 'AN';
  if (EUROPEAN_DIGIT.test(c)) return 'EN';
  if (/\p{M}/u.test(c)) return previous ?? 'N'; // a combining mark takes its base's class (W1)
  if (SEPARATOR.test(c)) return 'CS';
  return /[\p{L}\p{N}]/u.test(c) ? 'L' : 'N';
}

/** `rtl` for text whose first strong character is right to left, `ltr` for Latin…, else `undefined`. */
export function firstStrongDirection(text: string): 'ltr' | 'rtl' | undefined {
  for (const c of text) {
    const k = classOf(c, undefined);
    if (k === 'R') return 'rtl';
    if (k === 'L') return 'ltr';
  }
  return undefined;
}

/** Embedding level of each character (code point) of `chars`, at paragraph level `base` (0 or 1). */
export function bidiLevels(chars: string[], base: 0 | 1): number[] {
  const types: BidiClass[] = [];
  for (const c of chars) types.push(classOf(c, types[types.length - 1]));
  const sos: BidiClass = base ? 'R' : 'L';
  // W2 and W7: a European number takes the direction of the strong letter before it (or of the
  // paragraph): after Arabic letters it is an Arabic number, after Latin ones it is L.
  let strong = sos;
  for (let i = 0; i < types.length; i++) {
    const t = types[i];
    if (t === 'L' || t === 'R') strong = t;
    else if (t === 'EN') types[i] = strong === 'R' ? 'AN' : 'L';
  }
  // W4: one separator between two numbers of the same kind belongs to them.
  for (let i = 1; i < types.length - 1; i++) {
    const before = types[i - 1];
    if (types[i] === 'CS' && (before === 'EN' || before === 'AN') && types[i + 1] === before)
      types[i] = before;
  }
  // N1/N2: neutrals between two characters of the same direction (numbers count as R) take it,
  // others the paragraph's.
  const direction = (t: BidiClass | undefined): 'L' | 'R' | undefined =>
    t === 'L' ? 'L' : t === 'R' || t === 'EN' || t === 'AN' ? 'R' : undefined;
  for (let i = 0; i < types.length; i++) {
    if (direction(types[i])) continue;
    let end = i;
    while (end < types.length && !direction(types[end])) end++;
    const left = i === 0 ? sos : direction(types[i - 1]);
    const right = end === types.length ? sos : direction(types[end]);
    const resolved: BidiClass = left === right ? (left ?? sos) : sos;
    for (let j = i; j < end; j++) types[j] = resolved;
    i = end - 1;
  }
  // I1/I2.
  return types.map((t) => {
    if (base === 0) return t === 'R' ? 1 : t === 'EN' || t === 'AN' ? 2 : 0;
    return t === 'R' ? 1 : 2;
  });
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
  const chars = [...line.normalize('NFC').replace(CONTROLS, '')];
  const base = (firstStrongDirection(line) ?? pageDirection) === 'rtl' ? 1 : 0;
  const levels = bidiLevels(chars, base);
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
