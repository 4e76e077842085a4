#!/usr/bin/env node
// `npm run fuzz [-- --long] [-- --runs N] [-- --seed S]`: the fuzz test (test/security/fuzz.test.ts) with more
// requests than CI sends. `--long` sends 100,000 (docs/security.md records the last result).
import { spawnSync } from 'node:child_process';

const args = process.argv.slice(2);
const value = (name) => {
  const at = args.indexOf(name);
  return at >= 0 ? args[at + 1] : undefined;
};
const runs = value('--runs') ?? (args.includes('--long') ? '100000' : undefined);
const env = { ...process.env };
if (runs) env.ATTESTA_FUZZ_RUNS = runs;
const seed = value('--seed');
if (seed) env.ATTESTA_FUZZ_SEED = seed;
const run = spawnSync('npx', ['vitest', 'run', 'test/security/fuzz.test.ts'], { stdio: 'inherit', env });
process.exit(run.status ?? 1);
