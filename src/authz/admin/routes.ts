import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Kysely } from 'kysely';
import type { Config } from '../../platform/config/index.js';
import { ProtocolError } from '../../platform/errors.js';
import type { KeyStore, KeyTables } from '../../platform/keys/index.js';
import { ClientError, type ClientStore } from '../clients/store.js';
import { type AuditTables, listAudit } from './audit.js';
import { adminAuthenticator } from './auth.js';

export interface AdminRoutesOptions {
  config: Config;
  clients: ClientStore;
  keyStore: KeyStore;
  db: Kysely<AuditTables & KeyTables>;
  /** Called after a client changed (the service refreshes what it derives from clients). */
  onClientsChanged: () => Promise<void>;
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
 * enable) and the audit trail. Every change is recorded with the calling client as its actor.
 */
export async function adminRoutes(app: FastifyInstance, options: AdminRoutesOptions) {
  const { clients } = options;
  const authenticate = adminAuthenticator({
    issuer: options.config.authz.publicUrl,
    keyStore: options.keyStore,
    clients,
  });
  const bodyLimit = 64 * 1024;
  const noStore = { 'cache-control': 'no-store' };

  const change = async <R>(work: () => Promise<R>): Promise<R> => {
    try {
      const result = await work();
      await options.onClientsChanged();
      return result;
    } catch (error) {
      throw toProtocolError(error);
    }
  };

  app.get('/admin/clients', async (request, reply) => {
    await authenticate(request);
    return reply.headers(noStore).send({ clients: await clients.list() });
  });

  app.get<{ Params: Params }>(
    '/admin/clients/:clientId',
    { schema: { params: Params } },
    async (request, reply) => {
      await authenticate(request);
      const client = await clients.get(request.params.clientId);
      if (!client) throw new ProtocolError(404, 'not_found', 'no such client');
      return reply.headers(noStore).send(client);
    },
  );

  app.post<{ Body: Body }>(
    '/admin/clients',
    { bodyLimit, schema: { body: Body } },
    async (request, reply) => {
      const caller = await authenticate(request);
      const client = await change(() => clients.add(request.body, caller.actor));
      return reply.status(201).headers(noStore).send(client);
    },
  );

  app.patch<{ Params: Params; Body: Body }>(
    '/admin/clients/:clientId',
    { bodyLimit, schema: { params: Params, body: Body } },
    async (request, reply) => {
      const caller = await authenticate(request);
      const client = await change(() => clients.update(request.params.clientId, request.body, caller.actor));
      return reply.headers(noStore).send(client);
    },
  );

  for (const [action, disabled] of [
    ['disable', true],
    ['enable', false],
  ] as const) {
    app.post<{ Params: Params }>(
      `/admin/clients/:clientId/${action}`,
      { schema: { params: Params } },
      async (request, reply) => {
        const caller = await authenticate(request);
        const client = await change(() =>
          clients.setDisabled(request.params.clientId, disabled, caller.actor),
        );
        return reply.headers(noStore).send(client);
      },
    );
  }

  app.get<{ Querystring: AuditQuery }>(
    '/admin/audit',
    { schema: { querystring: AuditQuery } },
    async (request, reply) => {
      await authenticate(request);
      const limit = Math.min(Number(request.query.limit ?? 100), 1000);
      return reply.headers(noStore).send({ entries: await listAudit(options.db, limit) });
    },
  );
}
