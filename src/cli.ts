#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { CLIENTS_USAGE, clientsCommand } from './cli/clients.js';
import { ISSUER_USAGE, issuerCommand } from './cli/issuer-admin.js';
import { KEYS_USAGE, keysCommand } from './cli/keys.js';
import { OFFER_USAGE, offerCommand } from './cli/offers.js';
import { PASSWORD_USAGE, passwordHashCommand } from './cli/password-hash.js';
import { type Config, ConfigError, loadConfig, type ServiceName } from './platform/config/index.js';
import { demoIdentities } from './platform/registry/index.js';
import { type RunningSystem, startSystem } from './system.js';

const USAGE = `usage: attesta <command> [--config file]

  start                        all three services in one process (embedded SQLite, demo data)
  serve <authz|issuer|portal>  one service alone, with its own configuration
${KEYS_USAGE}
${CLIENTS_USAGE}
${ISSUER_USAGE}
${OFFER_USAGE}
${PASSWORD_USAGE}

Configuration: config/default.json, then --config / ATTESTA_CONFIG, then ATTESTA_* variables
(e.g. ATTESTA_ISSUER__PORT=4002).`;

const SERVICES: readonly ServiceName[] = ['authz', 'issuer', 'portal'];

function printBanner(system: RunningSystem): void {
  const lines = ['', 'Attesta is running:'];
  for (const [name, url] of Object.entries(system.urls)) lines.push(`  ${name.padEnd(7)} ${url}`);
  if (system.urls.portal && system.config.registry.seedDemo) {
    const demo = demoIdentities()[0];
    if (demo) {
      lines.push('', `Open ${system.urls.portal} and log in with the demo person:`);
      lines.push(
        `  individual ID ${demo.individualId} · full name ${demo.fullName} · date of birth ${demo.birthDate}`,
      );
      lines.push('  (all demo people: config/demo/identities.json)');
    }
  }
  lines.push('', 'Ctrl-C stops.', '');
  process.stdout.write(lines.join('\n'));
}

function onShutdown(system: RunningSystem): void {
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: finishing open requests and closing…\n`);
    system.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`shutdown failed: ${(error as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** Offline admin commands on authz's database (src/cli/): they take their own options. */
const ADMIN_COMMANDS = {
  keys: keysCommand,
  clients: clientsCommand,
  issuer: issuerCommand,
  offer: offerCommand,
  'password-hash': passwordHashCommand,
} as const;

async function main(argv: string[]): Promise<void> {
  const admin = ADMIN_COMMANDS[argv[0] as keyof typeof ADMIN_COMMANDS];
  if (admin) process.exit(await admin(argv.slice(1), (line) => process.stdout.write(`${line}\n`)));
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, target] = positionals;
  if (values.help || !command) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  let config: Config;
  try {
    config = loadConfig({ file: values.config });
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
  let names: ServiceName[];
  if (command === 'start') names = [...SERVICES];
  else if (command === 'serve' && SERVICES.includes(target as ServiceName)) names = [target as ServiceName];
  else {
    process.stderr.write(`${USAGE}\n`);
    process.exit(2);
  }
  const system = await startSystem(config, names);
  onShutdown(system);
  printBanner(system);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`attesta: ${(error as Error).message}\n`);
  process.exit(1);
});
