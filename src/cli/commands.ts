import type { Out } from './out.js';
import {
  BACKUP_USAGE,
  CLIENTS_USAGE,
  ISSUER_USAGE,
  KEYS_USAGE,
  MIGRATE_USAGE,
  OFFER_USAGE,
  PASSWORD_USAGE,
  RESTORE_USAGE,
  SERVE_USAGE,
  START_USAGE,
} from './usage.js';

/**
 * The `attesta` commands: a one-line summary and the usage of each (for `--help`), and a loader that
 * imports the command's module only when it runs, so help never loads oidc-provider, the crypto
 * suites or a database driver.
 */
export type CommandRun = (args: string[], out: Out) => Promise<number>;

export interface CommandEntry {
  summary: string;
  usage: string;
  load(): Promise<CommandRun>;
}

export const COMMANDS: Record<string, CommandEntry> = {
  start: {
    summary: 'all three services in one process (embedded SQLite, demo data); --workers N for the issuer',
    usage: START_USAGE,
    load: async () => (await import('./serve.js')).startCommand,
  },
  serve: {
    summary:
      'one service alone: serve <authz|issuer|portal>; the issuer or authz on every core (--workers N)',
    usage: SERVE_USAGE,
    load: async () => (await import('./serve.js')).serveCommand,
  },
  keys: {
    summary: 'signing keys of every service: list, rotate, revoke (HSM, rotation, certificates)',
    usage: KEYS_USAGE,
    load: async () => (await import('./keys.js')).keysCommand,
  },
  clients: {
    summary: "authz's OAuth clients: list, add, update, disable, enable",
    usage: CLIENTS_USAGE,
    load: async () => (await import('./clients.js')).clientsCommand,
  },
  issuer: {
    summary: 'issuer admin: API keys, credential configurations, credentials, status, audit',
    usage: ISSUER_USAGE,
    load: async () => (await import('./issuer-admin.js')).issuerCommand,
  },
  offer: {
    summary: 'create an issuer-initiated credential offer (wallet link, QR code)',
    usage: OFFER_USAGE,
    load: async () => (await import('./offers.js')).offerCommand,
  },
  migrate: {
    summary: 'apply pending schema migrations to every database (--check: report only)',
    usage: MIGRATE_USAGE,
    load: async () => (await import('./migrate.js')).migrateCommand,
  },
  backup: {
    summary: 'online backup of the SQLite databases while serving',
    usage: BACKUP_USAGE,
    load: async () => (await import('./backup.js')).backupCommand,
  },
  restore: {
    summary: 'restore a backup into the configured data directory',
    usage: RESTORE_USAGE,
    load: async () => (await import('./backup.js')).restoreCommand,
  },
  'password-hash': {
    summary: "hash a password (stdin) for the registry's passwordHash",
    usage: PASSWORD_USAGE,
    load: async () => {
      const { passwordHashCommand } = await import('./password-hash.js');
      return (args, out) => passwordHashCommand(args, out);
    },
  },
};
