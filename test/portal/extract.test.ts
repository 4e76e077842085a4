import { deflateSync } from 'node:zlib';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type DecodeBudget,
  DecodeBusy,
  DecodeOverBudget,
  DecodePool,
  type DecodePoolOptions,
} from '../../src/portal/verify/decode-pool.js';
import { credentialFromFile, credentialFromText } from '../../src/portal/verify/extract.js';
import {
  base45,
  compressedHugePng,
  deepJson,
  flateBombPdf,
  hugeJpeg,
  longBase45,
  manyObjectsPdf,
  tinyHugePng,
  zlibBombBase45,
} from './bombs.js';

const SAMPLE = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.c2lnbmF0dXJl~';
const decoder = new DecodePool();
const options = { retrieve: async () => undefined, decoder };
afterAll(() => decoder.close());

async function qrPng(text: string): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 });
}

/** The same picture as a photo app would save it: lossy JPEG. */
function asJpeg(png: Buffer, quality: number): Buffer {
  const image = PNG.sync.read(png);
  return jpeg.encode({ data: image.data, width: image.width, height: image.height }, quality).data;
}

describe('QR pictures on the verify page', () => {
  it('reads a credential from a PNG and from a lossy JPEG of the same QR code', async () => {
    const png = await qrPng(SAMPLE);
    expect(await credentialFromFile(png, options)).toBe(SAMPLE);
    const photo = asJpeg(png, 70);
    expect(photo.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(await credentialFromFile(photo, options)).toBe(SAMPLE);
  });

  it('gives nothing, not an error, for a JPEG without a QR code or a broken one', async () => {
    const blank = jpeg.encode({ data: Buffer.alloc(64 * 64 * 4, 255), width: 64, height: 64 }, 90).data;
    expect(await credentialFromFile(blank, options)).toBeUndefined();
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 7)]);
    expect(await credentialFromFile(broken, options)).toBeUndefined();
  });

  it('reads a PixelPass QR payload (base45 of zlib) through the decoding pool', async () => {
    const payload = base45(deflateSync(Buffer.from(SAMPLE), { level: 9 }));
    expect(await credentialFromText(payload, options)).toBe(SAMPLE);
  });
});

describe('bounded input: files and texts over the limits are refused before they are decoded', () => {
  // Each refusal is measured from headers or with capped inflation: no bomb may take the seconds
  // (or gigabytes) that decoding it would. The worker's own budget is a second line, tested below.
  const bombs: [string, () => Promise<Buffer | string>][] = [
    ['a 65-byte PNG declaring 30000² pixels', async () => tinyHugePng()],
    ['a 50 KB PNG of 20000² pixels', async () => compressedHugePng()],
    ['a JPEG declaring 65500² pixels', async () => hugeJpeg()],
    ['a PDF whose object stream inflates to 128 MB', () => flateBombPdf()],
    ['a PDF of 40,000 objects', async () => manyObjectsPdf()],
    ['a base45 zlib bomb (64 MB of zeros)', () => zlibBombBase45()],
    ['JSON nested a million deep', async () => deepJson()],
    ['3 MB of base45 characters', async () => longBase45()],
  ];
  it.each(bombs)('%s', async (_name, make) => {
    const bomb = await make();
    const rssBefore = process.memoryUsage.rss();
    const result =
      typeof bomb === 'string'
        ? await credentialFromText(bomb, options)
        : await credentialFromFile(bomb, options);
    expect(result).toBeUndefined();
    // The decoding worker lives in this process: its memory shows in our RSS.
    expect(process.memoryUsage.rss() - rssBefore).toBeLessThan(256 * 1024 * 1024);
  });

  it('a PNG whose data inflates past what its header declares is not handed to the image decoder', async () => {
    const png = await qrPng(SAMPLE);
    // Same picture, its IDAT replaced by 64 MB of zeros: the header still says ~300×300.
    const zeros = deflateSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
    const at = png.indexOf('IDAT') - 4;
    const end = at + 12 + png.readUInt32BE(at);
    const head = Buffer.alloc(8);
    head.writeUInt32BE(zeros.length, 0);
    head.write('IDAT', 4, 'latin1');
    const swollen = Buffer.concat([png.subarray(0, at), head, zeros, Buffer.alloc(4), png.subarray(end)]);
    expect(await credentialFromFile(swollen, options)).toBeUndefined();
  });
});

/** One worker and a queue of two, with limits no test reaches: each test tightens the one it is about. */
const ROOMY: DecodeBudget = {
  threads: 1,
  queue: 2,
  timeoutMs: 10_000,
  startupMs: 60_000,
  heapMb: 128,
  rssGrowthMb: 512,
};

/** A pool with `budget` over ROOMY, handed to `use` and closed after. */
async function withPool<T>(
  budget: Partial<DecodeBudget>,
  use: (pool: DecodePool) => Promise<T>,
  options?: DecodePoolOptions,
): Promise<T> {
  const pool = new DecodePool({ ...ROOMY, ...budget }, options);
  try {
    return await use(pool);
  } finally {
    await pool.close();
  }
}

/** A 1000² px QR picture: reading it takes more than 1 MB of memory growth (WebAssembly memory). */
const bigQrPng = () => QRCode.toBuffer('x'.repeat(2000), { type: 'png', margin: 4, scale: 6 });

describe('the decoding pool keeps its budget', () => {
  it('terminates a task over its time and serves the next one with a fresh worker', async () => {
    const png = await qrPng(SAMPLE);
    await withPool({ timeoutMs: 1 }, async (pool) => {
      await expect(pool.run({ kind: 'image', bytes: png })).rejects.toBeInstanceOf(DecodeOverBudget);
      await withPool({}, async (roomy) => {
        expect((await roomy.run({ kind: 'image', bytes: png })).texts).toEqual([SAMPLE]);
      });
    });
  });

  it('terminates a task whose process memory grows past the budget', async () => {
    // 1 MB of growth allowed: reading a real 1000² px QR picture needs more (WebAssembly memory).
    await withPool({ rssGrowthMb: 1 }, async (pool) => {
      await expect(pool.run({ kind: 'image', bytes: await bigQrPng() })).rejects.toThrow(/memory/);
    });
  });

  it('refuses a task that grew past the budget even when it ends between two memory samples', async () => {
    // The watchdog samples too rarely to ever fire here: the verdict must come from the check at the task's end.
    await withPool(
      { rssGrowthMb: 1 },
      async (pool) => {
        await expect(pool.run({ kind: 'image', bytes: await bigQrPng() })).rejects.toThrow(/memory/);
      },
      { watchIntervalMs: 3_600_000 },
    );
  });

  it('answers busy at once when its queue is full', async () => {
    await withPool({ queue: 1 }, async (pool) => {
      const png = await bigQrPng();
      const runs = Array.from({ length: 4 }, () => pool.run({ kind: 'image', bytes: png }));
      const outcomes = await Promise.allSettled(runs);
      const busy = outcomes.filter((o) => o.status === 'rejected' && o.reason instanceof DecodeBusy);
      expect(busy.length).toBeGreaterThanOrEqual(2);
      expect(outcomes.filter((o) => o.status === 'fulfilled').length).toBeGreaterThanOrEqual(1);
    });
  });
});
