#!/usr/bin/env node
// `npm run sbom [-- file]`: the CycloneDX SBOM of what a release ships (production dependencies, from the
// lock file and node_modules, by npm's own `npm sbom`), written to dist/sbom.cdx.json unless a file is
// named. scripts/build.js writes it with every build, so the image (deploy/Dockerfile copies dist/) carries it.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const SBOM_FILE = join(root, 'dist', 'sbom.cdx.json');

/** Runs `npm sbom` (npm >= 9.5) and writes its CycloneDX JSON to `file`; throws with npm's message. */
export function writeSbom(file = SBOM_FILE) {
  // Under `npm run`, npm_execpath is the npm that runs us; otherwise the npm on PATH.
  const npmCli = process.env.npm_execpath?.endsWith('.js') ? process.env.npm_execpath : undefined;
  const [command, args] = npmCli ? [process.execPath, [npmCli]] : ['npm', []];
  const run = spawnSync(command, [...args, 'sbom', '--sbom-format', 'cyclonedx', '--omit', 'dev'], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`npm sbom failed (${run.status}): ${run.stderr || run.error}`);
  const bom = JSON.parse(run.stdout);
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(bom, null, 2)}\n`);
  return { file, components: bom.components?.length ?? 0 };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const target = process.argv[2] ? resolve(process.argv[2]) : SBOM_FILE;
  try {
    const { file, components } = writeSbom(target);
    process.stdout.write(`sbom: ${components} components in ${file}\n`);
  } catch (error) {
    process.stderr.write(`sbom: ${error.message}\n`);
    process.exit(1);
  }
}
