import { Counter, Histogram } from 'prom-client';
import { metricsRegistry } from './registry.js';

/**
 * Requests by route template (never the raw path: ids and codes must not become label values, and
 * the label set stays bounded), method and status.
 */
export const httpRequests = new Counter({
  name: 'attesta_http_requests_total',
  help: 'HTTP requests answered, by service, method, route template and status code',
  labelNames: ['service', 'method', 'route', 'status'] as const,
  registers: [metricsRegistry],
});

export const httpDuration = new Histogram({
  name: 'attesta_http_request_duration_seconds',
  help: 'Time from request received to response finished, by service, method, route template and status code',
  labelNames: ['service', 'method', 'route', 'status'] as const,
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [metricsRegistry],
});

/**
 * Requests refused with a protocol error, by its code (`invalid_proof`, `invalid_nonce`,
 * `invalid_token`, `invalid_dpop_proof`, `invalid_grant`, …): the rejection reasons of proofs and
 * tokens as the protocol names them (OpenID4VCI 1.0 §8.3.1.2, RFC 6750 §3.1, RFC 6749 §5.2).
 */
export const protocolRefusals = new Counter({
  name: 'attesta_protocol_refusals_total',
  help: 'Requests refused with a protocol error, by service, route template and error code',
  labelNames: ['service', 'route', 'error'] as const,
  registers: [metricsRegistry],
});

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Unknown methods share one label value, so a client cannot mint label values. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'OTHER';
}
