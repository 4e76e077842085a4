#!/usr/bin/env node
// The `attesta` command runs the compiled build (dist/, made by `npm run build`) with plain node: no
// TypeScript loader at run time, and the service runs in this very process, so SIGTERM and SIGINT
// reach it directly (no child process in between).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('attesta: the compiled build (dist/) is missing: run `npm run build` first\n');
  process.exit(1);
}
await import(entry.href);
