import { randomUUID } from 'node:crypto';
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  LogController,
} from 'fastify';
import { ProtocolError } from './errors.js';
import { dropUntrustedForwarding } from './forwarded.js';
import { loggerOptions } from './logger.js';
import { guardOverload, type OverloadOptions } from './overload.js';
import { observeRequests } from './request-log.js';

export interface ServerOptions {
  service: string;
  logLevel: string;
  /** Error code for a request that fails its schema (e.g. `invalid_credential_request`). */
  validationErrorCode?: string;
  /** Answers an unknown address (a service of pages answers with a page); else protocol JSON. */
  notFound?: (request: FastifyRequest, reply: FastifyReply) => unknown;
  /** Bounded queues per route (src/platform/overload.ts); none when absent. */
  overload?: OverloadOptions;
  /**
   * Path prefixes answered outside Fastify's router (oidc-provider mounted through middie): they
   * label metrics and request logs by prefix instead of `unmatched`.
   */
  mountedPaths?: readonly string[];
  /**
   * Addresses or ranges of the reverse proxies in front (`http.trustProxy`): only their
   * X-Forwarded-For/-Proto/-Host are believed. Empty or absent: none is.
   */
  trustProxy?: readonly string[];
  /** Where log lines go instead of stdout (tests). */
  logStream?: { write(line: string): void };
}

/**
 * Protocol error codes that mean a token, proof, grant or client was refused: logged at warn so an
 * operator can alert on them (RFC 6750 §3.1, RFC 6749 §5.2, OpenID4VCI 1.0 §8.3.1.2, RFC 9449 §12.2).
 */
const REFUSALS = new Set([
  'invalid_token',
  'insufficient_scope',
  'invalid_proof',
  'invalid_nonce',
  'invalid_dpop_proof',
  'use_dpop_nonce',
  'invalid_grant',
  'invalid_client',
  'unauthorized_client',
  'access_denied',
]);

/**
 * The Fastify instance every service starts from: protocol-shaped errors, no stack traces, no
 * echo of input in messages, a request id, one log line and metrics per request, and graceful
 * close (open requests finish).
 */
export function createServer(options: ServerOptions): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(options.service, options.logLevel, options.logStream),
    trustProxy: options.trustProxy?.length ? [...options.trustProxy] : false,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    bodyLimit: 1024 * 1024,
    // One line per request, written when it ends (src/platform/request-log.ts).
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: () => randomUUID(),
    ajv: { customOptions: { removeAdditional: false, coerceTypes: false, allErrors: false } },
  });
  if (options.trustProxy?.length) dropUntrustedForwarding(app, options.trustProxy);
  observeRequests(app, options.service, options.mountedPaths ?? []);

  if (options.overload) guardOverload(app, options.overload);

  app.setErrorHandler((error: FastifyError | ProtocolError, request, reply) => {
    if (error instanceof ProtocolError) {
      request.observed?.refused(error.error);
      if (REFUSALS.has(error.error)) request.log.warn({ error: error.error }, 'request refused');
      reply.status(error.status).headers(error.headers).header('cache-control', 'no-store');
      return reply.send(error.toJSON());
    }
    if ('validation' in error && error.validation) {
      const code = options.validationErrorCode ?? 'invalid_request';
      const where = error.validationContext ?? 'request';
      const first = error.validation[0];
      const field = first?.instancePath ? first.instancePath.replace(/^\//, '').replaceAll('/', '.') : '';
      const detail = first?.message ? `${field ? `${field} ` : ''}${first.message}` : 'is malformed';
      return reply
        .status(400)
        .header('cache-control', 'no-store')
        .send({ error: code, error_description: `${where}: ${detail}` });
    }
    const status = typeof error.statusCode === 'number' ? error.statusCode : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: 'server_error', error_description: 'internal error' });
    }
    // Fastify's own 4xx (bad JSON, body too large, unsupported media type).
    return reply
      .status(status)
      .send({ error: 'invalid_request', error_description: error.message.split('\n')[0] });
  });

  app.setNotFoundHandler(
    options.notFound ??
      ((_request, reply) => {
        reply.status(404).send({ error: 'not_found', error_description: 'no such endpoint' });
      }),
  );

  return app;
}
