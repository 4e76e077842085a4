import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { guardAdminScope, routeOf } from '../../platform/audit/admin-guard.js';
import type { RefusalCounter } from '../../platform/audit/refusals.js';
import type { Config } from '../../platform/config/index.js';
import { ProtocolError } from '../../platform/errors.js';
import type { KeyStore, KeyTables } from '../../platform/keys/index.js';
import { ClientError, type ClientStore } from '../clients/store.js';
import { type AuditTables, listAudit, recordAudit } from './audit.js';
import { type AdminCaller, adminAuthenticator } from './auth.js';

export interface AdminRoutesOptions {
  config: Config;
  clients: ClientStore;
  keyStore: KeyStore;
  db: Kysely<AuditTables & KeyTables>;
  /** Refused calls, aggregated per minute, route, reason and source. */
  refusals: RefusalCounter;
  /** Called after a client changed (the service refreshes what it derives from clients). */
  onClientsChanged: () => Promise<void>;
  /** Further admin routes (grant revocation), registered inside the guarded scope. */
  routes?: ((scope: FastifyInstance, caller: (request: FastifyRequest) => AdminCaller) => void)[];
}

const Params = T.Object({ clientId: T.String({ minLength: 1, maxLength: 100 }) });
type Params = Static<typeof Params>;
const AuditQuery = T.Object({ limit: T.Optional(T.String({ pattern: '^[0-9]{1,4}$' })) });
type AuditQuery = Static<typeof AuditQuery>;
/** Bodies are checked in full by ClientStore (the client schema and its cross-field rules). */
const Body = T.Record(T.String(), T.Unknown());
type Body = Static<typeof Body>;

function toProtocolError(error: unknown): unknown {
  if (!(error instanceof ClientError)) return error;
  const status = error.code === 'not_found' ? 404 : error.code === 'conflict' ? 409 : 400;
  return new ProtocolError(status, error.code, error.message);
}

/**
 * The admin API of authz (docs/authz-protocol.md): clients (list, read, add, update, disable,
 * enable) and the audit trail. Every call is rate-limited and authenticated by the scope's hooks;
 * an allowed call is written to the audit trail before it runs (changes also record what changed,
 * with the calling client as actor), a refused one is counted in `authz_admin_refusals`.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions) {
  const { clients } = options;
  const authenticate = adminAuthenticator({
    issuer: options.config.authz.publicUrl,
    keyStore: options.keyStore,
    clients,
  });
  const callers = new WeakMap<FastifyRequest, AdminCaller>();
  const callerOf = (request: FastifyRequest): AdminCaller => {
    const caller = callers.get(request);
    if (!caller) throw new Error('admin route outside the guarded scope');
    return caller;
  };
  await guardAdminScope(app, {
    name: 'admin',
    async authenticate(request) {
      const caller = await authenticate(request);
      callers.set(request, caller);
      return caller;
    },
    async recordAllowed(request, caller) {
      const params = request.params as Record<string, unknown> | undefined;
      await recordAudit(options.db, {
        actor: caller.actor,
        action: routeOf(request).slice(0, 50),
        target: params && Object.keys(params).length ? JSON.stringify(params).slice(0, 200) : '',
        detail: { outcome: 'allowed' },
      });
    },
    refusals: options.refusals,
    rateLimit: options.config.admin.rateLimit,
  });
  const bodyLimit = 64 * 1024;

  const change = async <R>(work: () => Promise<R>): Promise<R> => {
    try {
      const result = await work();
      await options.onClientsChanged();
      return result;
    } catch (error) {
      throw toProtocolError(error);
    }
  };

  app.get('/admin/clients', async () => ({ clients: await clients.list() }));

  app.get<{ Params: Params }>('/admin/clients/:clientId', { schema: { params: Params } }, async (request) => {
    const client = await clients.get(request.params.clientId);
    if (!client) throw new ProtocolError(404, 'not_found', 'no such client');
    return client;
  });

  app.post<{ Body: Body }>(
    '/admin/clients',
    { bodyLimit, schema: { body: Body } },
    async (request, reply) => {
      const client = await change(() => clients.add(request.body, callerOf(request).actor));
      return reply.status(201).send(client);
    },
  );

  app.patch<{ Params: Params; Body: Body }>(
    '/admin/clients/:clientId',
    { bodyLimit, schema: { params: Params, body: Body } },
    async (request) =>
      change(() => clients.update(request.params.clientId, request.body, callerOf(request).actor)),
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post<{ Params: Params }>(
      `/admin/clients/:clientId/${action}`,
      { schema: { params: Params } },
      async (request) =>
        change(() => clients.setDisabled(request.params.clientId, disabled, callerOf(request).actor)),
    );
  }

  app.get<{ Querystring: AuditQuery }>(
    '/admin/audit',
    { schema: { querystring: AuditQuery } },
    async (request) => {
      const limit = Math.min(Number(request.query.limit ?? 100), 1000);
      return { entries: await listAudit(options.db, limit) };
    },
  );

  app.get<{ Querystring: AuditQuery }>(
    '/admin/audit/refusals',
    { schema: { querystring: AuditQuery } },
    async (request) => {
      const limit = Math.min(Number(request.query.limit ?? 100), 1000);
      return { refusals: await options.refusals.list({ limit }) };
    },
  );

  for (const register of options.routes ?? []) register(app, callerOf);
}
