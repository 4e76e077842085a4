import { randomBytes } from 'node:crypto';
import { base64url } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeBase64url } from '../../src/issuer/compact-jwt.js';

/** jose's answer: the bytes, or that it refused. */
const outcome = (decode: (text: string) => Uint8Array, text: string) => {
  try {
    return { bytes: [...decode(text)] };
  } catch {
    return { refused: true };
  }
};

describe('decodeBase64url', () => {
  it("decodes and refuses exactly what jose's base64url.decode does", () => {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const texts: string[] = ['', 'A', 'AA', 'AAA', 'AAAA', 'AB', 'AQ', 'AR', 'AP8', 'AP9', '_-_-'];
    // Every length up to 13 over random characters of the alphabet (non-canonical last characters included).
    for (let length = 0; length <= 13; length++) {
      for (let n = 0; n < 40; n++) {
        const bytes = randomBytes(length);
        texts.push(Array.from(bytes, (b) => alphabet[b % 64]).join(''));
      }
    }
    // Real encodings (an ES256 signature's 64 bytes, a JSON part), then what only jose may decide.
    for (const length of [1, 2, 3, 32, 64, 65, 400])
      texts.push(Buffer.from(randomBytes(length)).toString('base64url'));
    const sample = Buffer.from('{"alg":"ES256","typ":"openid4vci-proof+jwt"}').toString('base64url');
    texts.push(
      `${sample}=`,
      `${sample}==`,
      'AQ==',
      'AQ=',
      'AQID=',
      ' AQID',
      'AQ ID',
      'AQ\nID',
      'AQ+/',
      'AQ/+',
      'A+',
      'AQ.I',
      'AQ*I',
      'AQIé',
      'AQ\u0000I',
      '=',
      '====',
    );
    for (const text of texts)
      expect(outcome(decodeBase64url, text), JSON.stringify(text)).toEqual(outcome(base64url.decode, text));
  });
});
