import {
  beginText,
  type Color,
  endText,
  type PDFArray,
  type PDFDocument,
  type PDFFont,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFOperator,
  PDFOperatorNames,
  type PDFPage,
  popGraphicsState,
  pushGraphicsState,
  setFillingColor,
  setFontAndSize,
  setTextMatrix,
  setTextRise,
} from '@cantoo/pdf-lib';
import { visualRuns } from './bidi.js';
import { ARABIC_FACE, cachingFontkit, FACE_COUNT, face, hasGlyph, UNCOVERED, type Weight } from './fonts.js';

const BIDI_CONTROLS = /[\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;
const NEUTRAL = /[\s\p{P}\p{S}\p{M}]/u;
const ARABIC = /[\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff]/u;

export interface TextStyle {
  size: number;
  weight: Weight;
  color: Color;
  /**
   * The paragraph direction when the text has no strong letter to say it (UAX #9 P3): a phone number
   * or an identifier is `ltr` on an Arabic page, so `+99192285142` keeps its order (an isolate).
   */
  direction?: 'ltr' | 'rtl';
}

interface Run {
  text: string;
  /** The text in reading order (`text` reversed for a right-to-left run that is not shaped). */
  logical: string;
  font: PDFFont;
  /** fontkit's shaping of `text`: glyphs with their GPOS advances and offsets, in font units. */
  glyphs: { advanceWidth: number }[];
  positions: { xAdvance: number; xOffset: number; yOffset: number }[];
  unitsPerEm: number;
  width: number;
}

/**
 * Unicode text on the pages of one PDF: picks a font per character, runs the bidi step (bidi.ts) and
 * draws each run with its font. Fonts are embedded as subsets, only those a document uses.
 */
export class PdfText {
  private readonly embedded = new Map<string, Promise<PDFFont>>();
  /** Whether a character had no glyph in any font and was drawn as `?`. */
  uncovered = false;

  constructor(
    private readonly pdf: PDFDocument,
    private readonly direction: 'ltr' | 'rtl',
  ) {
    pdf.registerFontkit(cachingFontkit);
  }

  private font(index: number, weight: Weight): Promise<PDFFont> {
    const key = `${index}-${weight}`;
    let font = this.embedded.get(key);
    if (!font) {
      font = this.pdf.embedFont(face(index, weight).bytes, { subset: true });
      this.embedded.set(key, font);
    }
    return font;
  }

  /** Font for chars[i]: Arabic letters the Arabic font; punctuation and spaces the font of their word. */
  private faceOf(chars: string[], i: number, weight: Weight): number {
    const c = chars[i] ?? ' ';
    const cp = c.codePointAt(0) ?? 0;
    if (ARABIC.test(c) && hasGlyph(ARABIC_FACE, weight, cp)) return ARABIC_FACE;
    if (NEUTRAL.test(c)) {
      for (let j = i - 1; j >= 0; j--) {
        const before = chars[j] ?? ' ';
        if (NEUTRAL.test(before)) continue;
        if (ARABIC.test(before) && hasGlyph(ARABIC_FACE, weight, cp)) return ARABIC_FACE;
        break;
      }
    }
    for (let f = 0; f < FACE_COUNT; f++) if (hasGlyph(f, weight, cp)) return f;
    return -1;
  }

  /** Runs of a line in visual order, measured. */
  private async runs(line: string, style: TextStyle): Promise<Run[]> {
    // A character no font has becomes `?` (in the Latin font) rather than an empty box or an error;
    // an invisible control no font has (bidi marks, tabs) is left out.
    const chars = [...line.normalize('NFC')].flatMap((c) => {
      if (this.faceOf([c], 0, style.weight) >= 0) return [c];
      if (BIDI_CONTROLS.test(c)) return [c]; // isolates steer the bidi step, which drops them
      if (/[\p{Cc}\p{Cf}]/u.test(c)) return [];
      this.uncovered = true;
      return [UNCOVERED];
    });
    const runs = visualRuns(chars.join(''), style.direction ?? this.direction, (cs, i) =>
      Math.max(0, this.faceOf(cs, i, style.weight)),
    );
    return Promise.all(
      runs.map(async (r) => {
        const font = await this.font(r.font, style.weight);
        const parsed = face(r.font, style.weight).font;
        const { glyphs, positions } = parsed.layout(r.text);
        const width = positions.reduce((sum, p) => sum + p.xAdvance, 0) * (style.size / parsed.unitsPerEm);
        return {
          text: r.text,
          logical: r.logical,
          font,
          glyphs,
          positions,
          unitsPerEm: parsed.unitsPerEm,
          width,
        };
      }),
    );
  }

  async width(line: string, style: TextStyle): Promise<number> {
    return (await this.runs(line, style)).reduce((sum, r) => sum + r.width, 0);
  }

  /**
   * Draws one line starting at `x` (`align: 'left'`) or ending at `x` (`align: 'right'`).
   *
   * pdf-lib's drawText advances each glyph by its width only and drops fontkit's GPOS positions, but
   * Noto Sans Arabic draws the dots of ب ت ن ي ق … as separate mark glyphs placed by GPOS (mark to
   * base): without the offsets they land beside their letter. So each run is written as a TJ array:
   * pdf-lib's `encodeText` gives the glyph ids (and adds them to the font subset) in the same order
   * as fontkit's layout, and each glyph is moved by its x offset (TJ adjustments, in thousandths of
   * the font size) and y offset (text rise, `Ts`) — PDF 32000-1 §9.4.3 and §9.3.7.
   */
  async draw(
    page: PDFPage,
    line: string,
    at: { x: number; y: number; align: 'left' | 'right' },
    style: TextStyle,
  ) {
    const runs = await this.runs(line, style);
    let x = at.align === 'left' ? at.x : at.x - runs.reduce((sum, r) => sum + r.width, 0);
    for (const run of runs) {
      const ids = run.font.encodeText(run.text).toString().slice(1, -1).match(/.{4}/g) ?? [];
      const key = page.node.newFontDictionary(run.font.name, run.font.ref);
      const k = 1000 / run.unitsPerEm;
      const ops: PDFOperator[] = [
        // The run's text as typed (logical order): the ToUnicode map of a glyph cannot say it, since
        // this font draws ب ت ث ن ي from one dotless glyph plus dots (PDF 32000-1 §14.9.4).
        PDFOperator.of(PDFOperatorNames.BeginMarkedContentSequence, [
          PDFName.of('Span'),
          // An inline property dictionary: serialised as `<< … >>`, which PDFOperatorArg's type omits.
          this.pdf.context.obj({ ActualText: PDFHexString.fromText(run.logical) }) as unknown as PDFArray,
        ]),
        pushGraphicsState(),
        beginText(),
        setFillingColor(style.color),
        setFontAndSize(key, style.size),
        setTextMatrix(1, 0, 0, 1, x, at.y),
      ];
      let rise = 0;
      let pending = 0; // TJ adjustment carried to the next glyph (thousandths of an em, right is negative)
      for (const [i, id] of ids.entries()) {
        const p = run.positions[i] ?? { xAdvance: 0, xOffset: 0, yOffset: 0 };
        const advance = run.glyphs[i]?.advanceWidth ?? 0;
        const y = (p.yOffset * style.size) / run.unitsPerEm;
        if (y !== rise) {
          ops.push(setTextRise(y));
          rise = y;
        }
        const items = [PDFNumber.of(pending - p.xOffset * k), PDFHexString.of(id)];
        ops.push(PDFOperator.of(PDFOperatorNames.ShowTextAdjusted, [this.pdf.context.obj(items)]));
        // After the glyph the pen stands at its width; fontkit wants it at xAdvance from the glyph origin.
        pending = -(p.xAdvance - p.xOffset - advance) * k;
      }
      ops.push(endText(), popGraphicsState(), PDFOperator.of(PDFOperatorNames.EndMarkedContent));
      page.pushOperators(...ops);
      x += run.width;
    }
  }

  /** Splits text into lines that fit `width` (words first; a word longer than a line is cut). */
  async wrap(text: string, style: TextStyle, width: number): Promise<string[]> {
    const lines: string[] = [];
    let line = '';
    for (const word of text.split(/\s+/).filter(Boolean)) {
      const next = line ? `${line} ${word}` : word;
      if (!line || (await this.width(next, style)) <= width) line = next;
      else {
        lines.push(line);
        line = word;
      }
    }
    if (line) lines.push(line);
    const out: string[] = [];
    for (const l of lines) {
      let rest = [...l];
      while (rest.length > 1 && (await this.width(rest.join(''), style)) > width) {
        let n = rest.length - 1;
        while (n > 1 && (await this.width(rest.slice(0, n).join(''), style)) > width) n--;
        out.push(rest.slice(0, n).join(''));
        rest = rest.slice(n);
      }
      out.push(rest.join(''));
    }
    return out;
  }
}
