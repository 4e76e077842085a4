import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../../src/credentials/verify/index.js';

/**
 * One home per credential format: the OpenID4VCI 1.0 `format` identifiers (Appendix A: `jwt_vc_json`,
 * `ldp_vc`, `mso_mdoc`, `dc+sd-jwt`; `vc+sd-jwt` is draft 13's name) are written as strings only
 * in src/credentials/formats/. Everything else asks the index, so a format is changed in one place.
 */
const IDENTIFIERS = ['dc+sd-jwt', 'vc+sd-jwt', 'jwt_vc_json', 'vc+jwt', 'ldp_vc', 'mso_mdoc'];
const SRC = new URL('../../../src/', import.meta.url).pathname;
const HOME = 'credentials/formats/';
const literal = new RegExp(`(['"])(${IDENTIFIERS.map((id) => id.replace(/[+]/g, '\\+')).join('|')})\\1`, 'g');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return /\.(ts|js|json)$/.test(entry.name) ? [path] : [];
  });
}

function spellings(): Map<string, string[]> {
  const found = new Map<string, string[]>();
  for (const file of sources(SRC)) {
    const hits = [...readFileSync(file, 'utf8').matchAll(literal)].map((m) => m[2] as string);
    if (hits.length) found.set(relative(SRC, file), hits);
  }
  return found;
}

describe('format identifiers', () => {
  it('are spelled only in src/credentials/formats/', () => {
    const outside = [...spellings()].filter(([file]) => !file.startsWith(HOME)).map(([file]) => file);
    expect(outside).toEqual([]);
  });

  it('are each spelled there, so the check above looks at the right text', () => {
    const inside = [...spellings()].filter(([file]) => file.startsWith(HOME)).flatMap(([, hits]) => hits);
    expect(new Set(inside)).toEqual(new Set(IDENTIFIERS));
  });

  it('name what the verify core detects', () => {
    const jws = 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln';
    expect(detectFormat(`${jws}~`)).toBe('dc+sd-jwt');
    expect(detectFormat(jws)).toBe('jwt_vc_json');
    // VC-JOSE-COSE §3.1.1: a VCDM 2.0 credential secured as a JWT has `typ` `vc+jwt`.
    const vcJwt = `${Buffer.from('{"alg":"ES256","typ":"vc+jwt"}').toString('base64url')}.eyJpc3MiOiJ4In0.c2ln`;
    expect(detectFormat(vcJwt)).toBe('vc+jwt');
    expect(detectFormat({ proof: {} })).toBe('ldp_vc');
    expect(detectFormat('ogBjZG9j')).toBe('mso_mdoc');
  });
});
