import type { FastifyInstance } from 'fastify';
import { ConfigurationSchema } from '../configurations/schema.js';

const error = { $ref: '#/components/schemas/Error' };
const json = (schema: unknown) => ({ content: { 'application/json': { schema } } });
const answers = (ok: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  ...ok,
  '401': { description: 'No or invalid credentials', ...json(error) },
  '403': { description: 'Token lacks the issuer:admin scope or is not a client token', ...json(error) },
  '429': { description: 'Rate limited (rate_limited, with Retry-After)', ...json(error) },
  ...extra,
});
const idParam = (name: string) => ({ name, in: 'path', required: true, schema: { type: 'string' } });
const statusBody = json({
  type: 'object',
  required: ['status'],
  properties: { status: { enum: ['valid', 'suspended', 'revoked'] } },
  additionalProperties: false,
});

/** OpenAPI 3.1 description of the issuer's admin API (served at GET /admin/openapi.json). */
export function adminOpenApi(issuer: string): Record<string, unknown> {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Attesta issuer admin API',
      version: '1',
      description:
        'Credential configurations, template dry-run, the credential ledger, revocation and suspension, and the audit trail. ' +
        'Every call needs `Authorization: Bearer <token>`: an OAuth 2.0 client-credentials access token (RFC 9068) with scope ' +
        '`issuer:admin` from a trusted authorization server, or an admin API key (`atk_…`). Every call is audited ' +
        '(refused ones counted per minute); calls are rate-limited per address (429 with Retry-After).',
    },
    servers: [{ url: issuer }],
    security: [{ oauth: ['issuer:admin'] }, { apiKey: [] }],
    components: {
      securitySchemes: {
        oauth: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT (RFC 9068, client credentials, scope issuer:admin)',
        },
        apiKey: { type: 'http', scheme: 'bearer', bearerFormat: 'atk_<id>_<secret>' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error', 'error_description'],
          properties: { error: { type: 'string' }, error_description: { type: 'string' } },
        },
        Configuration: ConfigurationSchema,
      },
    },
    paths: {
      '/admin/configurations': {
        get: {
          summary: 'List all configurations (enabled and disabled)',
          responses: answers({ '200': { description: 'The configurations' } }),
        },
        post: {
          summary:
            'Create a configuration (validated: schema, per-format members, suite/algorithm, provider, template)',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/Configuration' }) },
          responses: answers(
            { '201': { description: 'Saved' } },
            {
              '400': { description: 'invalid_configuration', ...json(error) },
              '409': { description: 'Id or type taken', ...json(error) },
            },
          ),
        },
      },
      '/admin/configurations/{id}': {
        parameters: [idParam('id')],
        get: {
          summary: 'One configuration',
          responses: answers(
            { '200': { description: 'The configuration' } },
            { '404': { description: 'Unknown', ...json(error) } },
          ),
        },
        put: {
          summary: 'Replace a configuration (same id)',
          requestBody: { required: true, ...json({ $ref: '#/components/schemas/Configuration' }) },
          responses: answers(
            { '200': { description: 'Saved' } },
            { '400': { description: 'invalid_configuration', ...json(error) } },
          ),
        },
      },
      '/admin/configurations/{id}/disable': {
        parameters: [idParam('id')],
        post: {
          summary: 'Stop offering and issuing it (metadata updates without restart)',
          responses: answers({ '200': { description: 'Disabled' } }),
        },
      },
      '/admin/configurations/{id}/enable': {
        parameters: [idParam('id')],
        post: { summary: 'Offer it again', responses: answers({ '200': { description: 'Enabled' } }) },
      },
      '/admin/templates/render': {
        post: {
          summary:
            'Dry run: render a saved (configurationId) or unsaved (configuration) template against a sample record',
          requestBody: {
            required: true,
            ...json({
              type: 'object',
              required: ['record'],
              properties: {
                configurationId: { type: 'string' },
                configuration: { $ref: '#/components/schemas/Configuration' },
                record: { type: 'object' },
                token: { type: 'object' },
              },
            }),
          },
          responses: answers(
            { '200': { description: '`rendered` claims and the per-format `document`' } },
            { '400': { description: 'The error names configuration, template and path', ...json(error) } },
          ),
        },
      },
      '/admin/credentials/search': {
        post: {
          summary:
            'Search the ledger by configuration, subject or indexed attributes (matched by keyed hash)',
          requestBody: {
            required: true,
            ...json({
              type: 'object',
              properties: {
                configurationId: { type: 'string' },
                subject: { type: 'string' },
                attributes: { type: 'object', additionalProperties: { type: 'string' } },
                limit: { type: 'integer', minimum: 1, maximum: 500 },
              },
            }),
          },
          responses: answers({ '200': { description: 'Ledger entries (no PII)' } }),
        },
      },
      '/admin/credentials/{id}': {
        parameters: [idParam('id')],
        get: { summary: 'One ledger entry', responses: answers({ '200': { description: 'The entry' } }) },
      },
      '/admin/credentials/{id}/status': {
        parameters: [idParam('id')],
        post: {
          summary: 'Revoke (final), suspend or reinstate a credential; served status lists change at once',
          requestBody: { required: true, ...statusBody },
          responses: answers(
            { '200': { description: 'Changed' } },
            {
              '404': { description: 'Unknown', ...json(error) },
              '409': { description: 'Already revoked', ...json(error) },
            },
          ),
        },
      },
      '/admin/status-lists/{listId}/entries/{idx}/status': {
        parameters: [idParam('listId'), idParam('idx')],
        post: {
          summary: 'The same, by status list and index',
          requestBody: { required: true, ...statusBody },
          responses: answers(
            { '200': { description: 'Changed' } },
            { '404': { description: 'No credential holds the entry', ...json(error) } },
          ),
        },
      },
      '/admin/offers': {
        post: {
          summary:
            'Create a credential offer. `issuer:offers` (or `issuer:admin`): for a `subject`, claims from the data provider. ' +
            'Caller-supplied `claims` need `issuer:offers:claims` (or an API key). Audited with the caller.',
          security: [{ oauth: ['issuer:offers', 'issuer:admin', 'issuer:offers:claims'] }, { apiKey: [] }],
          requestBody: {
            required: true,
            ...json({
              type: 'object',
              required: ['credential_configuration_ids'],
              properties: {
                credential_configuration_ids: { type: 'array', items: { type: 'string' } },
                subject: { type: 'string' },
                claims: { type: 'object' },
                grants: { type: 'object' },
                expires_in: { type: 'integer' },
                draft13: { type: 'boolean' },
              },
            }),
          },
          responses: answers(
            { '201': { description: 'The offer, its wallet URIs and QR codes, the tx_code (shown once)' } },
            { '400': { description: 'invalid_request', ...json(error) } },
          ),
        },
      },
      '/admin/audit': {
        get: {
          summary: 'The audit trail, newest first',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' } },
            { name: 'before', in: 'query', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
            { name: 'actor', in: 'query', schema: { type: 'string' } },
          ],
          responses: answers({ '200': { description: 'Entries: who, what, when, outcome' } }),
        },
      },
      '/admin/audit/refusals': {
        get: {
          summary: 'Refused calls, counted per minute, route, reason and source, newest first',
          parameters: [
            { name: 'limit', in: 'query', schema: { type: 'string', pattern: '^[1-9][0-9]{0,2}$' } },
            { name: 'before', in: 'query', schema: { type: 'string', pattern: '^[0-9]{1,15}$' } },
          ],
          responses: answers({ '200': { description: 'Rows: minute, route, reason, source, calls' } }),
        },
      },
      '/admin/openapi.json': {
        get: { summary: 'This description', responses: answers({ '200': { description: 'OpenAPI 3.1' } }) },
      },
    },
  };
}

export function registerOpenApiRoute(
  app: FastifyInstance,
  issuer: string,
  extraPaths: Record<string, unknown> = {},
): void {
  const document = adminOpenApi(issuer);
  document.paths = { ...(document.paths as object), ...extraPaths };
  const body = JSON.stringify(document);
  app.get('/admin/openapi.json', async (_request, reply) => reply.type('application/json').send(body));
}
