import { Counter } from 'prom-client';
import { metricsRegistry } from '../platform/metrics/index.js';
import type { Factor } from './factors/acr.js';

const FACTOR_BY_AMR: Record<string, Factor> = { kba: 'kbi', pwd: 'password', otp: 'otp' };

/** The factor (kbi, password, otp) an `amr` list records (RFC 8176). */
export function factorOfAmr(amr: readonly string[]): string {
  return FACTOR_BY_AMR[amr[0] ?? ''] ?? 'other';
}

export const signIns = new Counter({
  name: 'attesta_authz_sign_ins_total',
  help: 'Successful sign-ins, by factor',
  labelNames: ['factor'] as const,
  registers: [metricsRegistry],
});

/** Reasons are a fixed vocabulary of the factors (`mismatch`, `wrong code`, `blocked`), never input. */
export const signInFailures = new Counter({
  name: 'attesta_authz_sign_in_failures_total',
  help: 'Failed sign-in attempts, by factor and reason',
  labelNames: ['factor', 'reason'] as const,
  registers: [metricsRegistry],
});

export const lockouts = new Counter({
  name: 'attesta_authz_lockouts_total',
  help: 'Identifiers locked out after too many failed attempts, by factor',
  labelNames: ['factor'] as const,
  registers: [metricsRegistry],
});
