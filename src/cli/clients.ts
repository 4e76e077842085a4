import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { ClientError, ClientStore } from '../authz/clients/store.js';
import { loadConfig } from '../platform/config/index.js';
import { openAuthzDatabase } from './authz-database.js';
import { CLIENTS_USAGE } from './usage.js';

function readJson(values: { file?: string; json?: string }): unknown {
  const text = values.file ? readFileSync(values.file, 'utf8') : values.json;
  if (text === undefined)
    throw new ClientError('invalid_client_metadata', 'give the client as --file or --json');
  try {
    return JSON.parse(text);
  } catch {
    throw new ClientError('invalid_client_metadata', 'the client is not valid JSON');
  }
}

/** `attesta clients list|add|update|disable|enable`. Returns the process exit code. */
export async function clientsCommand(args: string[], out: (line: string) => void): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      file: { type: 'string', short: 'f' },
      json: { type: 'string' },
    },
  });
  const [action, clientId] = positionals;
  const needsId = action === 'update' || action === 'disable' || action === 'enable';
  if (!['list', 'add', 'update', 'disable', 'enable'].includes(action ?? '') || (needsId && !clientId)) {
    out(`usage:\n${CLIENTS_USAGE}`);
    return 2;
  }
  const actor = `cli:${userInfo().username}`;
  const database = await openAuthzDatabase(loadConfig({ file: values.config }));
  const store = new ClientStore(database.db);
  try {
    if (action === 'list') {
      for (const client of await store.list()) out(JSON.stringify(client));
      return 0;
    }
    const id = clientId ?? '';
    let result: unknown;
    if (action === 'add') result = await store.add(readJson(values), actor);
    else if (action === 'update') {
      const changes = readJson(values);
      if (typeof changes !== 'object' || changes === null || Array.isArray(changes)) {
        throw new ClientError('invalid_client_metadata', 'the changes must be a JSON object');
      }
      result = await store.update(id, changes as Record<string, unknown>, actor);
    } else result = await store.setDisabled(id, action === 'disable', actor);
    out(JSON.stringify(result));
    return 0;
  } catch (error) {
    if (error instanceof ClientError) {
      out(`${error.code}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}
