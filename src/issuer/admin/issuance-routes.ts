import { type Static, Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { ProtocolError } from '../../platform/errors.js';
import {
  type CachedConfigurationSource,
  ConfigurationConflict,
  ConfigurationError,
  type ConfigurationStore,
  validateConfiguration,
} from '../configurations/index.js';
import type { Ledger, LedgerTables } from '../ledger/index.js';
import { type CredentialStatus, StatusChangeError, type StatusChanger } from '../status/index.js';
import { CompiledTemplate, TemplateError, toDocument } from '../templates/index.js';
import type { AuditTrail } from './audit.js';
import { actorOf, adminPrincipal } from './auth.js';

export interface IssuanceAdminDeps {
  db: Kysely<LedgerTables>;
  store: ConfigurationStore;
  configurations: CachedConfigurationSource;
  ledger: Ledger;
  status: StatusChanger;
  audit: AuditTrail;
}

const IdParams = T.Object({ id: T.String({ pattern: '^[A-Za-z0-9_.:-]{1,100}$' }) });
const StatusBody = T.Object(
  { status: T.Union([T.Literal('valid'), T.Literal('suspended'), T.Literal('revoked')]) },
  { additionalProperties: false },
);
const ListIndexParams = T.Object({
  listId: T.String({ pattern: '^[A-Za-z0-9_-]{1,40}$' }),
  idx: T.String({ pattern: '^[0-9]{1,9}$' }),
});
const SearchBody = T.Object(
  {
    configurationId: T.Optional(T.String({ maxLength: 100 })),
    subject: T.Optional(T.String({ minLength: 1, maxLength: 200 })),
    attributes: T.Optional(
      T.Record(T.String({ maxLength: 200 }), T.String({ maxLength: 500 }), { maxProperties: 10 }),
    ),
    limit: T.Optional(T.Integer({ minimum: 1, maximum: 500 })),
  },
  { additionalProperties: false },
);
const RenderBody = T.Object(
  {
    configurationId: T.Optional(T.String({ maxLength: 100 })),
    configuration: T.Optional(T.Record(T.String(), T.Unknown())),
    record: T.Record(T.String(), T.Unknown()),
    token: T.Optional(T.Record(T.String(), T.Unknown())),
  },
  { additionalProperties: false },
);

function invalid(error: ConfigurationError | TemplateError): ProtocolError {
  const description = error instanceof ConfigurationError ? error.problems.join('; ') : error.message;
  return new ProtocolError(400, 'invalid_configuration', description);
}

const notFound = (what: string) => new ProtocolError(404, 'not_found', `no such ${what}`);

/**
 * The admin API of the issuance data: configurations (create, read, update, disable), template
 * dry-run, ledger search, and status changes. Registered inside the guarded admin scope; every
 * change is also written to the audit trail with its outcome.
 */
export function registerIssuanceAdminRoutes(app: FastifyInstance, deps: IssuanceAdminDeps): void {
  const audited = async <R>(
    request: FastifyRequest,
    action: string,
    target: string,
    work: () => Promise<R>,
  ): Promise<R> => {
    const actor = actorOf(adminPrincipal(request));
    try {
      const result = await work();
      await deps.audit.record({ actor, action, target, outcome: 'done', detail: null });
      return result;
    } catch (error) {
      const detail = error instanceof ProtocolError ? error.description : 'failed';
      await deps.audit.record({ actor, action, target, outcome: 'failed', detail });
      throw error;
    }
  };
  const saving = async <R>(work: () => Promise<R>): Promise<R> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof ConfigurationError || error instanceof TemplateError) throw invalid(error);
      if (error instanceof ConfigurationConflict) throw new ProtocolError(409, 'conflict', error.message);
      throw error;
    } finally {
      deps.configurations.invalidate();
    }
  };

  app.get('/admin/configurations', async () => ({
    configurations: (await deps.store.all()).map((s) => ({ ...s.configuration, enabled: s.enabled })),
  }));

  app.get<{ Params: Static<typeof IdParams> }>(
    '/admin/configurations/:id',
    { schema: { params: IdParams } },
    async (request) => {
      const stored = await deps.store.get(request.params.id);
      if (!stored) throw notFound('configuration');
      return { ...stored.configuration, enabled: stored.enabled };
    },
  );

  app.post('/admin/configurations', async (request, reply) => {
    const id = String((request.body as { id?: unknown } | undefined)?.id ?? '').slice(0, 100);
    const saved = await audited(request, 'configuration.create', id, () =>
      saving(() => deps.store.create(request.body)),
    );
    return reply.status(201).send(saved);
  });

  app.put<{ Params: Static<typeof IdParams> }>(
    '/admin/configurations/:id',
    { schema: { params: IdParams } },
    async (request) =>
      audited(request, 'configuration.update', request.params.id, () =>
        saving(async () => {
          if (!(await deps.store.update(request.params.id, request.body))) throw notFound('configuration');
          return request.body;
        }),
      ),
  );

  for (const [verb, enabled] of [
    ['disable', false],
    ['enable', true],
  ] as const) {
    app.post<{ Params: Static<typeof IdParams> }>(
      `/admin/configurations/:id/${verb}`,
      { schema: { params: IdParams } },
      async (request) =>
        audited(request, `configuration.${verb}`, request.params.id, () =>
          saving(async () => {
            if (!(await deps.store.setEnabled(request.params.id, enabled))) throw notFound('configuration');
            return { id: request.params.id, enabled };
          }),
        ),
    );
  }

  // Dry run: a saved or unsaved configuration's template rendered against sample data; nothing is
  // issued or written. The answer shows the rendered claims and the per-format document.
  app.post<{ Body: Static<typeof RenderBody> }>(
    '/admin/templates/render',
    { schema: { body: RenderBody } },
    async (request) => {
      const { body } = request;
      try {
        let configuration = body.configuration ? validateConfiguration(body.configuration) : undefined;
        if (!configuration && body.configurationId)
          configuration = (await deps.store.get(body.configurationId))?.configuration;
        if (!configuration) throw notFound('configuration');
        if (!configuration.template) throw new ConfigurationError(['template: required']);
        const template = new CompiledTemplate(configuration.id, configuration.template);
        const rendered = await template.render(body.record, { token: body.token });
        return { rendered, document: toDocument(configuration, rendered) };
      } catch (error) {
        if (error instanceof ConfigurationError || error instanceof TemplateError) throw invalid(error);
        throw error;
      }
    },
  );

  app.post<{ Body: Static<typeof SearchBody> }>(
    '/admin/credentials/search',
    { schema: { body: SearchBody } },
    async (request) => ({
      credentials: await deps.ledger.search(deps.db, { ...request.body, limit: request.body.limit ?? 100 }),
    }),
  );

  app.get<{ Params: Static<typeof IdParams> }>(
    '/admin/credentials/:id',
    { schema: { params: IdParams } },
    async (request) => {
      const entry = await deps.ledger.get(deps.db, request.params.id);
      if (!entry) throw notFound('credential');
      return entry;
    },
  );

  const changing = async <R>(work: () => Promise<R>): Promise<R> => {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StatusChangeError) {
        throw new ProtocolError(error.code === 'not_found' ? 404 : 409, error.code, error.message);
      }
      throw error;
    }
  };

  app.post<{ Params: Static<typeof IdParams>; Body: Static<typeof StatusBody> }>(
    '/admin/credentials/:id/status',
    { schema: { params: IdParams, body: StatusBody } },
    async (request) =>
      audited(request, `credential.${request.body.status}`, request.params.id, () =>
        changing(async () => {
          const { previous } = await deps.status.byCredential(request.params.id, request.body.status);
          return { id: request.params.id, status: request.body.status, previous };
        }),
      ),
  );

  app.post<{ Params: Static<typeof ListIndexParams>; Body: Static<typeof StatusBody> }>(
    '/admin/status-lists/:listId/entries/:idx/status',
    { schema: { params: ListIndexParams, body: StatusBody } },
    async (request) => {
      const { listId, idx } = request.params;
      const status: CredentialStatus = request.body.status;
      return audited(request, `credential.${status}`, `${listId}/${idx}`, () =>
        changing(async () => {
          const changed = await deps.status.byListIndex(listId, Number(idx), status);
          return { id: changed.credentialId, status, previous: changed.previous };
        }),
      );
    },
  );
}
