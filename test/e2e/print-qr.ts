import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';

/** The dots per inch of the printed page: an office printer's draft, a phone photo of it. */
export const PRINT_DPI = 150;

/**
 * Whether Debian's poppler-utils (pdftoppm) and zbar-tools (zbarimg) are here. Absent on a laptop:
 * a loud skip; absent in CI (CI=true, .ci/run installs them): a failure.
 */
export function printToolsAvailable(): boolean {
  const found = ['/usr/bin/pdftoppm', '/usr/bin/zbarimg'].every((tool) => existsSync(tool));
  if (!found && process.env.CI === 'true') throw new Error('pdftoppm and zbarimg are required in CI');
  if (!found) process.stderr.write('\n!!! pdftoppm/zbarimg missing: printed-QR checks are SKIPPED !!!\n\n');
  return found;
}

/**
 * The size of one QR module on paper, in mm: rows of the image are scanned for the finder patterns'
 * 1:1:3:1:1 dark/light runs (ISO/IEC 18004 §6.3.3), which are 7 modules wide; the median is taken.
 */
export function moduleSizeMm(png: PNG, dpi: number): number | undefined {
  const { width, height, data } = png;
  const dark = (x: number, y: number) => (data[(y * width + x) * 4] ?? 255) < 128;
  const found: number[] = [];
  for (let y = 0; y < height; y += 2) {
    const runs: { dark: boolean; length: number }[] = [];
    for (let x = 0; x < width; x++) {
      const d = dark(x, y);
      const last = runs[runs.length - 1];
      if (last && last.dark === d) last.length++;
      else runs.push({ dark: d, length: 1 });
    }
    for (let i = 0; i + 4 < runs.length; i++) {
      const five = runs.slice(i, i + 5);
      if (!five[0]?.dark) continue;
      const total = five.reduce((sum, r) => sum + r.length, 0);
      const unit = total / 7;
      const expected = [1, 1, 3, 1, 1];
      if (unit >= 1.5 && five.every((r, k) => Math.abs(r.length - (expected[k] ?? 0) * unit) <= unit * 0.6)) {
        found.push(unit);
      }
    }
  }
  if (found.length < 6) return undefined;
  found.sort((a, b) => a - b);
  const median = found[Math.floor(found.length / 2)] ?? 0;
  return (median / dpi) * 25.4;
}

/**
 * Prints page 1 of a PDF at PRINT_DPI (pdftoppm) and reads its QR code with zbarimg, a decoder
 * independent of the product's own (jsqr): the text in the code and the printed module size.
 */
export function readPrintedQr(pdf: Uint8Array): { texts: string[]; moduleMm: number | undefined } {
  const dir = mkdtempSync(join(tmpdir(), 'attesta-print-'));
  try {
    writeFileSync(join(dir, 'card.pdf'), pdf);
    execFileSync(
      'pdftoppm',
      ['-r', String(PRINT_DPI), '-gray', '-png', '-f', '1', '-l', '1', 'card.pdf', 'page'],
      {
        cwd: dir,
      },
    );
    const [image] = ['page-1.png', 'page-01.png'].filter((f) => existsSync(join(dir, f)));
    if (!image) throw new Error('pdftoppm wrote no page');
    let out = '';
    try {
      out = execFileSync('zbarimg', ['--raw', '-q', '-Sdisable', '-Sqrcode.enable', image], {
        cwd: dir,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'], // zbarimg complains on stderr that there is no D-Bus
        maxBuffer: 16 * 1024 * 1024,
      });
    } catch {
      // exit status 4: no code found
    }
    const texts = out ? [out.replace(/\n$/, '')] : [];
    const png = PNG.sync.read(readFileSync(join(dir, image)));
    return { texts, moduleMm: moduleSizeMm(png, PRINT_DPI) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
