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
 * pino options shared by every service. Request URLs are logged without their query string, which
 * may carry codes, state or personal data.
 */
export function loggerOptions(service: string, level: string): FastifyServerOptions['logger'] {
  return {
    level,
    base: { service },
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req(req: { method: string; url: string; id: string }) {
        return { id: req.id, method: req.method, path: req.url.split('?')[0] };
      },
    },
  };
}
