import type { FastifyServerOptions } from 'fastify';

/** Headers that carry secrets; never logged. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers.dpop',
  'res.headers["set-cookie"]',
  '*.password',
  '*.client_assertion',
  '*.code',
  '*.code_verifier',
];

/**
 * An error as logged: its class, message, code and stack, and nothing else. Driver errors carry
 * more enumerable fields (PostgreSQL's `detail` quotes the row's values, which may be personal data).
 */
function serializeError(error: Error): { type: string; message: string; stack: string; code?: string } {
  const { code } = error as { code?: unknown };
  return {
    type: error.name,
    message: String(error.message),
    ...(typeof code === 'string' || typeof code === 'number' ? { code: String(code) } : {}),
    stack: error.stack ?? '',
  };
}

/**
 * pino options shared by every service: JSON lines with a numeric `level`, `time`, `service` and the
 * request's `reqId`. Request URLs are logged without their query string, which may carry codes,
 * state or personal data; the per-request line (request-log.ts) names the route template instead.
 */
export function loggerOptions(
  service: string,
  level: string,
  stream?: { write(line: string): void },
): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream ? { stream } : {}),
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      err: serializeError,
      req(req: { method: string; url: string; id: string }) {
        return { id: req.id, method: req.method, path: req.url.split('?')[0] };
      },
    },
  };
}
