import { randomBytes } from 'node:crypto';
import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { base45Decode, base45Encode } from '../../src/portal/render/base45.js';
import { pixelPassDecode, pixelPassEncode } from '../../src/portal/render/pixelpass.js';
import { credentialQr, QR_ALPHANUMERIC_CAPACITY } from '../../src/portal/render/qr.js';
import { decodeQr } from './pdf-tools.js';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

/** jsqr as an independent reader of our PNGs (the CommonJS default export, called as a function). */
function readPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return decodeQr(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}

describe('base45 (RFC 9285)', () => {
  it('encodes and decodes the examples of §4.3 and §4.4', () => {
    const vectors: [string, string][] = [
      ['AB', 'BB8'],
      ['Hello!!', '%69 VD92EX0'],
      ['base-45', 'UJCLQE7W581'],
      ['ietf!', 'QED8WEX0'],
    ];
    for (const [plain, encoded] of vectors) {
      expect(base45Encode(bytes(plain))).toBe(encoded);
      expect(text(base45Decode(encoded))).toBe(plain);
    }
  });

  it('round-trips every byte value and refuses malformed input', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    expect(base45Decode(base45Encode(all))).toEqual(all);
    expect(() => base45Decode('GGW')).toThrow('bad value'); // 65535 + 1 (§4.4)
    expect(() => base45Decode('ab')).toThrow('bad character');
    expect(() => base45Decode('BB8B')).toThrow('bad length');
  });
});

describe('PixelPass payload', () => {
  it('carries JSON as CBOR and text as text, compressed, in the QR alphanumeric set', () => {
    const json = JSON.stringify({
      credentialSubject: { name: 'Amara Okafor', id: 'did:example:1' },
      n: [1, 2],
    });
    const encoded = pixelPassEncode(json);
    expect(encoded).toMatch(/^[0-9A-Z $%*+\-./:]+$/);
    expect(JSON.parse(pixelPassDecode(encoded))).toEqual(JSON.parse(json));
    const sdJwt = `eyJhbGciOiJFUzI1NiJ9.${'eyJpc3MiOiJodHRwczovL2lzc3Vlci5leGFtcGxlIn0'.repeat(5)}.sig~WyJzYWx0IiwibmFtZSIsIkFtYXJhIl0~`;
    expect(pixelPassDecode(pixelPassEncode(sdJwt))).toBe(sdJwt);
    expect(pixelPassEncode(sdJwt).length).toBeLessThan(sdJwt.length * 1.5);
  });

  it('refuses a payload that inflates beyond the cap', () => {
    const bomb = pixelPassEncode('a'.repeat(1024 * 1024));
    expect(() => pixelPassDecode(bomb)).toThrow();
  });
});

describe('credential QR code', () => {
  it('holds the credential itself when it fits, read back by jsqr', async () => {
    const credential = `eyJhbGciOiJFUzI1NiJ9.${'x'.repeat(1500)}.sig~`;
    let linked = false;
    const qr = await credentialQr(credential, async () => {
      linked = true;
      return 'https://portal.example/r/1';
    });
    expect(qr.kind).toBe('inline');
    expect(linked).toBe(false);
    const read = readPng(qr.png);
    expect(read).toBe(qr.text);
    expect(pixelPassDecode(read ?? '')).toBe(credential);
  });

  it('falls back to a one-time link when the credential is too large', async () => {
    const random = randomBytes(4000).toString('base64url');
    expect(pixelPassEncode(random).length).toBeGreaterThan(QR_ALPHANUMERIC_CAPACITY);
    const qr = await credentialQr(random, async () => 'https://portal.example/r/abc');
    expect(qr).toMatchObject({ kind: 'link', text: 'https://portal.example/r/abc' });
    expect(readPng(qr.png)).toBe('https://portal.example/r/abc');
  });
});
