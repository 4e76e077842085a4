import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { describe, expect, it, vi } from 'vitest';
import { base45Decode, base45Encode } from '../../src/portal/render/base45.js';
import { pixelPassDecode, pixelPassEncode } from '../../src/portal/render/pixelpass.js';
import { credentialQr, QR_ALPHANUMERIC_CAPACITY } from '../../src/portal/render/qr.js';
import { decodeQr } from '../helpers/qr.js';

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

/** MOSIP's own PixelPass (npm @mosip/pixelpass, as Inji uses it): CommonJS, no types. */
const mosip = createRequire(import.meta.url)('@mosip/pixelpass') as {
  generateQRData(data: string, header?: string): string;
  decode(data: string): string;
};

describe('PixelPass interop with MOSIP’s @mosip/pixelpass', () => {
  const sdJwt = `eyJhbGciOiJFUzI1NiJ9.${'eyJ2Y3QiOiJuYXRpb25hbF9pZCJ9'.repeat(20)}.c2ln~WyJzYWx0IiwiZ2l2ZW5fbmFtZSIsIkxlw69sYSJd~`;
  const w3c = JSON.stringify({
    '@context': ['https://www.w3.org/ns/credentials/v2'],
    type: ['VerifiableCredential'],
    credentialSubject: { givenName: 'ليلى', nationality: 'LB', dependants: 2, coverage: ['hospital'] },
  });

  it('reads what we encode, and we read what it encodes (JSON as CBOR, other text as UTF-8)', () => {
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => undefined); // "Data is not JSON"
    try {
      for (const data of [sdJwt, w3c]) {
        expect(mosip.decode(pixelPassEncode(data))).toBe(data);
        expect(pixelPassDecode(mosip.generateQRData(data))).toBe(data);
      }
    } finally {
      quiet.mockRestore();
    }
  });

  it('unlike the MOSIP decoder, refuses malformed base45 (RFC 9285 §4.2) and caps what it inflates', () => {
    for (const bad of ['A', 'AB!', ':::']) expect(() => pixelPassDecode(bad)).toThrow();
    // 1 MB of zeros deflates to about a kilobyte: a QR code can carry it, our decoder stops at 256 KB.
    const bomb = base45Encode(deflateSync(Buffer.alloc(1024 * 1024), { level: 9 }));
    expect(bomb.length).toBeLessThan(QR_ALPHANUMERIC_CAPACITY);
    expect(() => pixelPassDecode(bomb)).toThrow();
    expect(mosip.decode(bomb).length).toBe(1024 * 1024); // MOSIP's inflates it all
  });
});
