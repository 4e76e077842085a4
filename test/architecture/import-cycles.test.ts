import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

// docs/architecture.md: "a type or constant that two modules share lives in a file of its own" — no
// import circle anywhere in src/, not even through a type-only import. This reads every import and
// export-from of src/ as written (relative specifiers, `.js` standing for the `.ts` file) and looks
// for a circle.
const SRC = resolve(import.meta.dirname, '../../src');
const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*['"](\.{1,2}\/[^'"]+)['"]|import\(\s*['"](\.{1,2}\/[^'"]+)['"]\s*\)/g;

function sources(folder: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string, known: Set<string>): string[] {
  const text = readFileSync(file, 'utf8');
  const targets: string[] = [];
  for (const match of text.matchAll(SPECIFIER)) {
    const specifier = match[1] ?? match[2];
    if (!specifier) continue;
    const base = resolve(dirname(file), specifier);
    const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')];
    const target = candidates.find((c) => known.has(c));
    if (target) targets.push(target);
  }
  return targets;
}

/** One circle of the graph (as a list of files, first repeated at the end), or undefined. */
function findCircle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') return [...stack.slice(stack.indexOf(next)), next];
      if (!state.has(next)) {
        const found = visit(next);
        if (found) return found;
      }
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    if (state.has(node)) continue;
    const found = visit(node);
    if (found) return found;
  }
  return undefined;
}

describe('src/ import graph', () => {
  const files = sources(SRC);
  const known = new Set(files);
  const graph = new Map(files.map((file) => [file, importsOf(file, known)]));

  it('reads the imports it should (the check is not vacuous)', () => {
    expect(files.length).toBeGreaterThan(100);
    // A known edge: the credential endpoint imports the nonce checks.
    const endpoint = join(SRC, 'issuer/credential/endpoint.ts');
    expect(graph.get(endpoint)).toContain(join(SRC, 'issuer/credential/consume-nonces.ts'));
    // And the finder finds a circle when there is one.
    const a = join(SRC, 'a.ts');
    const b = join(SRC, 'b.ts');
    expect(
      findCircle(
        new Map([
          [a, [b]],
          [b, [a]],
        ]),
      ),
    ).toEqual([a, b, a]);
  });

  it('has no import circle, type-only imports included', () => {
    const circle = findCircle(graph);
    expect(circle?.map((file) => relative(SRC, file))).toBeUndefined();
  });
});
