import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { ApiKeyStore, AuditTrail } from '../issuer/admin/index.js';
import {
  ConfigurationConflict,
  ConfigurationError,
  ConfigurationStore,
} from '../issuer/configurations/index.js';
import {
  ISSUANCE_MIGRATION_SET,
  type IssuanceTables,
  issuanceMigrations,
} from '../issuer/issuance/database.js';
import { Ledger } from '../issuer/ledger/index.js';
import {
  type CredentialStatus,
  STATUS_PERMUTATION_KEY,
  StatusChangeError,
  StatusChanger,
  StatusPermutations,
} from '../issuer/status/index.js';
import { loadConfig } from '../platform/config/index.js';
import { migrateToLatest, openDatabase } from '../platform/db/index.js';
import { loadMasterKey } from '../platform/keys/index.js';
import { ISSUER_USAGE } from './usage.js';

const STATUSES = new Set(['valid', 'suspended', 'revoked']);

/** `attesta issuer …`: offline admin of the issuer database, each change audited as `cli:<user>`. */
export async function issuerCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      configuration: { type: 'string' },
      subject: { type: 'string' },
      attribute: { type: 'string', multiple: true },
      limit: { type: 'string' },
    },
  });
  const [area, action, ...rest] = positionals;
  const usage = () => {
    out(`usage:\n${ISSUER_USAGE}`);
    return 2;
  };
  if (!area) return usage();
  const config = loadConfig({ file: values.config });
  const database = openDatabase<IssuanceTables>(config.issuer.database, config.database);
  const db = database.db;
  const actor = `cli:${userInfo().username}`;
  const audit = new AuditTrail(db);
  const done = (what: string, target: string) =>
    audit.record({ actor, action: what, target, outcome: 'done', detail: null });
  try {
    await migrateToLatest(db as Kysely<unknown>, ISSUANCE_MIGRATION_SET, issuanceMigrations);
    const json = (value: unknown) => out(JSON.stringify(value, null, 2));
    if (area === 'api-key') {
      const keys = new ApiKeyStore(db);
      if (action === 'create' && rest[0]) {
        const { id, key } = await keys.create(rest[0]);
        await done('api_key.create', id);
        out(`API key ${id} (shown once, keep it secret):`);
        out(key);
        return 0;
      }
      if (action === 'list') {
        for (const k of await keys.list())
          out(
            `${k.id} ${k.name} created ${new Date(k.created_at).toISOString()}${k.revoked_at ? ' revoked' : ''}`,
          );
        return 0;
      }
      if (action === 'revoke' && rest[0]) {
        if (!(await keys.revoke(rest[0]))) return fail(out, 'no such active key');
        await done('api_key.revoke', rest[0]);
        return 0;
      }
      return usage();
    }
    if (area === 'config') {
      const store = new ConfigurationStore(db);
      try {
        if (action === 'list') {
          for (const s of await store.all())
            out(`${s.configuration.id} ${s.configuration.format} ${s.enabled ? 'enabled' : 'disabled'}`);
          return 0;
        }
        if (action === 'show' && rest[0]) {
          const stored = await store.get(rest[0]);
          if (!stored) return fail(out, 'no such configuration');
          json({ ...stored.configuration, enabled: stored.enabled });
          return 0;
        }
        if ((action === 'create' || action === 'update') && rest[0]) {
          const body = JSON.parse(readFileSync(rest[0], 'utf8')) as { id?: string };
          if (action === 'create') await store.create(body);
          else if (!(await store.update(String(body.id), body))) return fail(out, 'no such configuration');
          await done(`configuration.${action}`, String(body.id));
          out(`configuration ${body.id} saved`);
          return 0;
        }
        if ((action === 'disable' || action === 'enable') && rest[0]) {
          if (!(await store.setEnabled(rest[0], action === 'enable')))
            return fail(out, 'no such configuration');
          await done(`configuration.${action}`, rest[0]);
          return 0;
        }
      } catch (error) {
        if (error instanceof ConfigurationError || error instanceof ConfigurationConflict)
          return fail(out, error.message);
        throw error;
      }
      return usage();
    }
    const masterKey = loadMasterKey(config.keys.masterKeyFile);
    const changer = new StatusChanger(db, new StatusPermutations(masterKey.derive(STATUS_PERMUTATION_KEY)));
    const ledger = new Ledger(masterKey.derive('issuer ledger hmac'));
    try {
      if (area === 'credential' && action === 'show' && rest[0]) {
        const entry = await ledger.get(db, rest[0]);
        if (!entry) return fail(out, 'no such credential');
        json(entry);
        return 0;
      }
      if (area === 'credential' && action === 'search') {
        const attributes = Object.fromEntries(
          (values.attribute ?? []).map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]),
        );
        json(
          await ledger.search(db, {
            configurationId: values.configuration,
            subject: values.subject,
            attributes,
            limit: Number(values.limit ?? 100),
          }),
        );
        return 0;
      }
      if (area === 'credential' && action === 'status' && rest[0] && STATUSES.has(rest[1] ?? '')) {
        await changer.byCredential(rest[0], rest[1] as CredentialStatus);
        await done(`credential.${rest[1]}`, rest[0]);
        out(`${rest[0]} ${rest[1]}`);
        return 0;
      }
      if (area === 'status-list' && action && /^\d+$/.test(rest[0] ?? '') && STATUSES.has(rest[1] ?? '')) {
        const { credentialId } = await changer.byListIndex(
          action,
          Number(rest[0]),
          rest[1] as CredentialStatus,
        );
        await done(`credential.${rest[1]}`, `${action}/${rest[0]}`);
        out(`${credentialId} ${rest[1]}`);
        return 0;
      }
    } catch (error) {
      if (error instanceof StatusChangeError) return fail(out, error.message);
      throw error;
    }
    if (area === 'audit') {
      for (const e of await audit.list({ limit: Number(values.limit ?? 50) }))
        out(`${new Date(e.at).toISOString()} ${e.actor} ${e.action} ${e.target ?? ''} ${e.outcome}`);
      return 0;
    }
    return usage();
  } finally {
    await database.close();
  }
}

function fail(out: (line: string) => void, message: string): number {
  out(`error: ${message}`);
  return 1;
}
