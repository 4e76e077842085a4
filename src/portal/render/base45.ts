/**
 * Base45 (RFC 9285): two bytes to three characters of the QR alphanumeric set, so a QR code can
 * carry binary data in its dense alphanumeric mode.
 */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
const VALUES = new Map([...ALPHABET].map((c, i) => [c, i]));

const char = (i: number): string => ALPHABET.charAt(i);

export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    const n = (bytes[i] ?? 0) * 256 + (bytes[i + 1] ?? 0);
    out += char(n % 45) + char(Math.floor(n / 45) % 45) + char(Math.floor(n / 2025));
  }
  if (bytes.length % 2) {
    const n = bytes[bytes.length - 1] ?? 0;
    out += char(n % 45) + char(Math.floor(n / 45));
  }
  return out;
}

export class Base45Error extends Error {}

export function base45Decode(text: string): Uint8Array {
  if (text.length % 3 === 1) throw new Base45Error('base45: bad length');
  const out = new Uint8Array(Math.floor(text.length / 3) * 2 + (text.length % 3 === 2 ? 1 : 0));
  let o = 0;
  for (let i = 0; i < text.length; i += 3) {
    const chunk = [...text.slice(i, i + 3)].map((c) => {
      const v = VALUES.get(c);
      if (v === undefined) throw new Base45Error('base45: bad character');
      return v;
    });
    const [c = 0, d = 0, e] = chunk;
    const n = c + d * 45 + (e === undefined ? 0 : e * 2025);
    if (e === undefined) {
      if (n > 0xff) throw new Base45Error('base45: bad value');
      out[o++] = n;
    } else {
      if (n > 0xffff) throw new Base45Error('base45: bad value');
      out[o++] = n >> 8;
      out[o++] = n & 0xff;
    }
  }
  return out;
}
