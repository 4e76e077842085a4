import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Provider } from 'oidc-provider';
import type { Config } from '../../platform/config/index.js';
import type { Commit } from '../../platform/db/index.js';
import type { MasterKey } from '../../platform/keys/index.js';
import type { IdentityRegistry } from '../../platform/registry/index.js';
import { clock } from '../factors/clock.js';
import { createNotifier, OutboxNotifier } from '../notify/index.js';
import type { Realms } from '../realms.js';
import type { AuthzTables } from '../storage/adapter.js';
import { purgeSignIn, type SignInTables } from '../storage/sign-in-tables.js';
import { outboxRoute } from './outbox-route.js';
import { interactionRoutes } from './routes.js';

const PURGE_INTERVAL_MS = 5 * 60 * 1000;

export interface SignInPluginOptions {
  provider: Provider;
  registry: IdentityRegistry;
  db: Kysely<AuthzTables>;
  /** How the consent step's write commits (group-committed on SQLite: storage/adapter.ts, adapterWrites). */
  commit?: Commit;
  config: Config;
  masterKey: MasterKey;
  /** The KBI realms (src/authz/realms.ts). */
  realms: Realms;
}

/**
 * Everything of the sign-in: interaction pages (factors, consent), the notifier for one-time codes
 * (and the development outbox page), and the periodic purge of expired sign-in rows.
 */
export async function signInRoutes(app: FastifyInstance, options: SignInPluginOptions) {
  const db = options.db as Kysely<AuthzTables & SignInTables>;
  const notifier = createNotifier(options.config, db);
  await app.register(interactionRoutes, {
    provider: options.provider,
    registry: options.registry,
    realms: options.realms,
    config: options.config,
    db,
    commit: options.commit,
    notifier,
    hashKey: options.masterKey.derive('authz sign-in hashes'),
  });
  if (notifier instanceof OutboxNotifier) await app.register(outboxRoute, { outbox: notifier });
  const purge = setInterval(() => {
    purgeSignIn(db, clock.now()).catch((error) =>
      app.log.warn({ err: error }, 'purging sign-in rows failed'),
    );
  }, PURGE_INTERVAL_MS);
  purge.unref();
  app.addHook('onClose', async () => {
    clearInterval(purge);
    await notifier.close();
  });
}
