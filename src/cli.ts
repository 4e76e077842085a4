#!/usr/bin/env node
import { COMMANDS } from './cli/commands.js';
import { closest } from './platform/config/did-you-mean.js';

// Only what `attesta --help` needs is imported here; each command's module loads when it runs.

const OVERVIEW = `usage: attesta <command> [options]      (attesta <command> --help for its options)

${Object.entries(COMMANDS)
  .map(([name, entry]) => `  ${name.padEnd(15)} ${entry.summary}`)
  .join('\n')}

Configuration: config/default.json, then --config / ATTESTA_CONFIG, then ATTESTA_* variables
(e.g. ATTESTA_ISSUER__PORT=4002); every setting is listed in docs/configuration.md.`;

const out = (line: string) => process.stdout.write(`${line}\n`);
const isHelp = (arg: string) => arg === '--help' || arg === '-h';

/** Errors of `util.parseArgs` (unknown option, missing value) are usage errors, not crashes. */
function isUsageError(error: unknown): error is Error {
  return error instanceof Error && String((error as NodeJS.ErrnoException).code).startsWith('ERR_PARSE_ARGS');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || isHelp(name) || (name === 'help' && args.length === 0)) {
    out(OVERVIEW);
    return 0;
  }
  const helpFor = name === 'help' ? args[0] : undefined;
  const entry = COMMANDS[helpFor ?? name];
  if (!entry) {
    const guess = closest(helpFor ?? name, Object.keys(COMMANDS));
    process.stderr.write(
      `attesta: unknown command ${helpFor ?? name}${guess ? ` (did you mean ${guess}?)` : ''}\n\n${OVERVIEW}\n`,
    );
    return 2;
  }
  if (helpFor || args.some(isHelp)) {
    out(`usage:\n${entry.usage}`);
    return 0;
  }
  const run = await entry.load();
  try {
    return await run(args, out);
  } catch (error) {
    if (isUsageError(error)) {
      process.stderr.write(`attesta ${name}: ${error.message}\nusage:\n${entry.usage}\n`);
      return 2;
    }
    // A bad configuration value: the message names the key (ConfigError, src/platform/config).
    if (error instanceof Error && error.name === 'ConfigError') {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`attesta: ${(error as Error).message}\n`);
    process.exit(1);
  },
);
