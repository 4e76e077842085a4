import { randomBytes } from 'node:crypto';
import { base64url, decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { decodeBase64url, parseCompactJwt } from '../../src/issuer/compact-jwt.js';

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

describe('parseCompactJwt', () => {
  it("gives jose's header and claims whenever it parses, and never parses what jose refuses", () => {
    const b64 = (text: string | Buffer) => Buffer.from(text).toString('base64url');
    const header = b64(
      '{"alg":"ES256","typ":"openid4vci-proof+jwt","jwk":{"kty":"EC","crv":"P-256","x":"AA","y":"AA"}}',
    );
    const claims = b64('{"aud":"https://issuer.example","iat":1,"nonce":"n"}');
    const tokens = [
      `${header}.${claims}.sig`,
      `${header}.${claims}.`,
      `${header}=.${claims}.sig`,
      `${header}.${claims}==.sig`,
      `${b64(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]))}.${claims}.sig`,
      `${header}.${b64(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xc3, 0x22, 0x7d]))}.sig`,
      `${header}.${b64('[1,2]')}.sig`,
      `${header}.${b64('null')}.sig`,
      `${b64('"text"')}.${claims}.sig`,
      `${header}..sig`,
      `.${claims}.sig`,
      `${header}.${claims}`,
      `${header}.${claims}.sig.x.y`,
      `${header}.${claims.replace(/^./, '+')}.sig`,
      `${header}.${b64('{"a":1')}.sig`,
    ];
    for (const token of tokens) {
      const ours = parseCompactJwt(token);
      let theirs: { header: unknown; payload: unknown } | undefined;
      try {
        theirs = { header: decodeProtectedHeader(token), payload: decodeJwt(token) };
      } catch {
        theirs = undefined;
      }
      if (ours) expect({ header: ours.header, payload: ours.payload }, token).toEqual(theirs);
      else if (theirs) {
        // Refused here, decoded by jose: verifyJwtProof then takes jose's answer (bad UTF-8 only).
        expect(token).toMatch(/^[^.]*\.[^.]*\.[^.]*$/);
      }
    }
  });
});
