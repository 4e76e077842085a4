#!/usr/bin/env node
// `npm run build`: compiles src/ to dist/ (tsc, incremental) and copies the files that are not TypeScript
// (stylesheets, browser scripts) beside the compiled modules that read them. `--if-stale` (used by
// `npm start`) returns at once when dist/ is newer than every source, so a second start costs no build.
// Every build also writes dist/sbom.cdx.json, the CycloneDX SBOM of the production dependencies (scripts/sbom.js).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeSbom } from './sbom.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const dist = join(root, 'dist');
/** Written after each successful build; tsc itself leaves its build info untouched when nothing changed. */
const stamp = join(dist, '.built');

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

function mtime(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function stale() {
  const built = mtime(stamp);
  if (!built) return true;
  const inputs = [join(root, 'tsconfig.json'), join(root, 'tsconfig.build.json'), join(root, 'package.json')];
  return [...inputs, ...files(src)].some((path) => mtime(path) > built);
}

function sameContent(a, b) {
  try {
    return readFileSync(a).equals(readFileSync(b));
  } catch {
    return false;
  }
}

if (process.argv.includes('--if-stale') && !stale()) process.exit(0);

// typescript's exports map hides bin/tsc, so resolve the package root and take its bin from there.
const tsc = join(dirname(createRequire(import.meta.url).resolve('typescript/package.json')), 'bin/tsc');
const compiled = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
  stdio: 'inherit',
});
if (compiled.status !== 0) process.exit(compiled.status ?? 1);

for (const path of files(src)) {
  if (path.endsWith('.ts')) continue;
  const target = join(dist, relative(src, path));
  if (sameContent(path, target)) continue;
  mkdirSync(dirname(target), { recursive: true });
  copyFileSync(path, target);
}
// The release's CycloneDX SBOM (production dependencies) beside the code it describes.
try {
  writeSbom();
} catch (error) {
  process.stderr.write(`build: ${error.message}\n`);
  process.exit(1);
}
writeFileSync(stamp, `${new Date().toISOString()}\n`);
