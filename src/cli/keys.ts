import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { loadSigningKeys, retentionSeconds, rotateSigningKey } from '../authz/keys/rotation.js';
import { loadConfig } from '../platform/config/index.js';
import { openAuthzDatabase } from './authz-database.js';
import { KEYS_USAGE } from './usage.js';

/** `attesta keys rotate|list authz`. Returns the process exit code. */
export async function keysCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' } },
  });
  const [action, service] = positionals;
  if (service !== 'authz' || (action !== 'rotate' && action !== 'list')) {
    out(`usage:\n${KEYS_USAGE}`);
    return 2;
  }
  const config = loadConfig({ file: values.config });
  const database = await openAuthzDatabase(config);
  try {
    const keyStore = database.keyStore();
    if (action === 'rotate') {
      const { kid, retired } = await rotateSigningKey(database.db, keyStore, `cli:${userInfo().username}`);
      out(`new signing key ${kid}`);
      if (retired.length) out(`retired (still published for their tokens' lifetime): ${retired.join(', ')}`);
      out('Running instances sign with it after their next key reload (authz.keyReloadSeconds) or restart.');
      return 0;
    }
    const published = await loadSigningKeys(
      database.db,
      keyStore,
      retentionSeconds([config.authz.accessTokenTtl]),
    );
    const rows = await database.db
      .selectFrom('signing_keys')
      .select(['kid', 'status', 'created_at', 'retired_at'])
      .where('purpose', '=', 'authz')
      .orderBy('created_at', 'desc')
      .execute();
    const publishedKids = new Set(published.privateJwks.map((k) => k.kid));
    for (const row of rows) {
      const state =
        row.kid === published.activeKid ? 'signing' : publishedKids.has(row.kid) ? 'published' : 'expired';
      const retired = row.retired_at ? ` retired ${new Date(Number(row.retired_at)).toISOString()}` : '';
      out(`${row.kid} ${state} created ${new Date(Number(row.created_at)).toISOString()}${retired}`);
    }
    return 0;
  } finally {
    await database.close();
  }
}
