import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { describe, expect, it } from 'vitest';
import { credentialFromFile, qrFromJpeg, qrFromPng } from '../../src/portal/verify/extract.js';

const SAMPLE = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0.c2lnbmF0dXJl~';
const noRetrieval = { retrieve: async () => undefined };

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
    expect(qrFromPng(png)).toBe(SAMPLE);
    const photo = asJpeg(png, 70);
    expect(photo.subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect(qrFromJpeg(photo)).toBe(SAMPLE);
    expect(await credentialFromFile(photo, noRetrieval)).toBe(SAMPLE);
  });

  it('gives nothing, not an error, for a JPEG without a QR code or a broken one', async () => {
    const blank = jpeg.encode({ data: Buffer.alloc(64 * 64 * 4, 255), width: 64, height: 64 }, 90).data;
    expect(await credentialFromFile(blank, noRetrieval)).toBeUndefined();
    const broken = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(100, 7)]);
    expect(await credentialFromFile(broken, noRetrieval)).toBeUndefined();
  });
});
