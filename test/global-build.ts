import { execFileSync } from 'node:child_process';

/**
 * Tests that run the `attesta` command as an operator would (`npm start`, the bin) need the compiled
 * build: make it once before any test file runs (a no-op when dist/ is current).
 */
export default function setup(): void {
  execFileSync(process.execPath, ['scripts/build.js', '--if-stale'], { stdio: 'inherit' });
}
