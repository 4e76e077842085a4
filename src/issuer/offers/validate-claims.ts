import { ProtocolError } from '../../platform/errors.js';
import type { CredentialConfiguration } from '../configurations/index.js';

function leafPaths(value: Record<string, unknown>, prefix: string[] = []): string[][] {
  const paths: string[][] = [];
  for (const [name, member] of Object.entries(value)) {
    const path = [...prefix, name];
    if (typeof member === 'object' && member !== null && !Array.isArray(member)) {
      paths.push(...leafPaths(member as Record<string, unknown>, path));
    } else {
      paths.push(path);
    }
  }
  return paths;
}

function has(value: Record<string, unknown>, path: string[]): boolean {
  let node: unknown = value;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return node !== undefined && node !== null && node !== '';
}

const invalid = (description: string) => new ProtocolError(400, 'invalid_request', description);

/**
 * Claims fixed in an offer must fit the configuration: every claim is one the configuration
 * declares (a declared path, or inside a declared object such as `address`), and every claim the
 * configuration marks `mandatory` is given. Messages name paths, never values (they may be PII).
 */
export function validateOfferedClaims(
  configuration: CredentialConfiguration,
  claims: Record<string, unknown>,
): void {
  const declared = configuration.claims.map((c) => c.path);
  const same = (a: string[], b: string[]) => a.length === b.length && a.every((s, i) => s === b[i]);
  const extends_ = (a: string[], prefix: string[]) =>
    a.length > prefix.length && same(a.slice(0, prefix.length), prefix);
  for (const path of leafPaths(claims)) {
    // Known: declared exactly, or inside a declared object whose members are not declared one by one.
    const known = declared.some(
      (d) => same(d, path) || (extends_(path, d) && !declared.some((other) => extends_(other, d))),
    );
    if (!known) throw invalid(`claim ${path.join('.')} is not part of ${configuration.id}`);
  }
  for (const definition of configuration.claims) {
    const mandatory = (definition as { mandatory?: unknown }).mandatory === true;
    if (mandatory && !has(claims, definition.path)) {
      throw invalid(`claim ${definition.path.join('.')} is mandatory for ${configuration.id}`);
    }
  }
}
