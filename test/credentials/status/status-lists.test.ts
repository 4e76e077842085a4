import { deflateSync, gunzipSync, gzipSync } from 'node:zlib';
import { StatusList } from '@sd-jwt/jwt-status-list';
import { describe, expect, it } from 'vitest';
import {
  bitstringStatusAt,
  encodeBitstringStatusList,
  encodeTokenStatusList,
  tokenStatusAt,
} from '../../../src/credentials/status/index.js';

/** Status lists as the specifications lay them out, checked against @sd-jwt's independent Token Status List. */
describe('IETF Token Status List (draft-ietf-oauth-status-list §4.1)', () => {
  it.each([1, 2, 4, 8] as const)(
    '%i bits per entry: ours and @sd-jwt/jwt-status-list read each other’s lists',
    (bits) => {
      const size = 64;
      const entries = [
        { idx: 0, status: 1 },
        { idx: 5, status: (1 << bits) - 1 },
        { idx: 63, status: 1 },
      ];
      const ours = encodeTokenStatusList(size, bits, entries);
      const read = StatusList.decompressStatusList(ours, bits);
      for (let idx = 0; idx < size; idx++) {
        expect(read.getStatus(idx)).toBe(entries.find((e) => e.idx === idx)?.status ?? 0);
      }
      const values = Array.from({ length: size }, (_, i) => (i * 7) % (1 << bits));
      const theirs = new StatusList(values, bits).compressStatusList();
      for (let idx = 0; idx < size; idx++)
        expect(tokenStatusAt({ bits, lst: theirs }, idx)).toBe(values[idx]);
    },
  );

  it('refuses a list that inflates past its bound (a zip bomb), an index outside it, and bad members', () => {
    const bomb = deflateSync(Buffer.alloc(32 * 1024 * 1024)).toString('base64url');
    expect(() => tokenStatusAt({ bits: 1, lst: bomb }, 0)).toThrow('status list invalid');
    const small = encodeTokenStatusList(8, 1, []);
    expect(() => tokenStatusAt({ bits: 1, lst: small }, 8)).toThrow('status index out of range');
    expect(() => tokenStatusAt({ bits: 3, lst: small }, 0)).toThrow('status list malformed');
    expect(() => tokenStatusAt({ bits: 1, lst: 'not base64url!' }, 0)).toThrow('status list malformed');
  });
});

describe('W3C Bitstring Status List (§2.2 encodedList)', () => {
  it('is multibase base64url of GZIP, bit 0 the most significant of byte 0', async () => {
    const encoded = await encodeBitstringStatusList(16, [
      { idx: 0, status: 1 },
      { idx: 9, status: 1 },
      { idx: 3, status: 0 },
    ]);
    expect(encoded.startsWith('u')).toBe(true);
    expect([...gunzipSync(Buffer.from(encoded.slice(1), 'base64url'))]).toEqual([0b1000_0000, 0b0100_0000]);
    expect(await Promise.all([0, 1, 3, 9, 15].map((i) => bitstringStatusAt(encoded, i)))).toEqual([
      true,
      false,
      false,
      true,
      false,
    ]);
  });

  it('refuses a list without the multibase prefix, one that inflates past its bound, an index outside it', async () => {
    await expect(bitstringStatusAt('H4sI', 0)).rejects.toThrow('status list not multibase base64url');
    const bomb = `u${gzipSync(Buffer.alloc(32 * 1024 * 1024)).toString('base64url')}`;
    await expect(bitstringStatusAt(bomb, 0)).rejects.toThrow('status list invalid');
    const empty = await encodeBitstringStatusList(16, []);
    await expect(bitstringStatusAt(empty, 16)).rejects.toThrow('status index out of range');
  });
});
