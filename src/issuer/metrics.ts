import { Counter } from 'prom-client';
import { certificateDeadlines, type KeyStore } from '../platform/keys/index.js';
import { type Expiry, metricsRegistry } from '../platform/metrics/index.js';
import { MDOC_DS_KEY_PURPOSE } from './formats/keys.js';
import { ISSUER_KEY_PURPOSES } from './key-purposes.js';

/** Credentials signed and handed out, by configuration id (a bounded, operator-defined set) and format. */
export const credentialsIssued = new Counter({
  name: 'attesta_issuer_credentials_issued_total',
  help: 'Credentials issued, by credential configuration and format',
  labelNames: ['configuration', 'format'] as const,
  registers: [metricsRegistry],
});

/** Revocations, suspensions and reinstatements written to the status lists. */
export const statusChanges = new Counter({
  name: 'attesta_issuer_status_changes_total',
  help: 'Credential status changes written to the status lists, by the status set',
  labelNames: ['status'] as const,
  registers: [metricsRegistry],
});

/** Metric names of the mdoc chain (the names dashboards already use). */
const NAMES: Record<string, [leaf: string, ca: string]> = {
  [MDOC_DS_KEY_PURPOSE]: ['mdoc-document-signer', 'mdoc-iaca'],
};

/**
 * Days to the end of the certificates of the keys that sign now (read from the key store, so an
 * imported chain or a renewal shows at once): the key's own certificate (`mdoc-document-signer`, or
 * the purpose) and the soonest-ending CA certificate above it (`mdoc-iaca`, or `<purpose>-ca`).
 */
export function certificateExpiries(keys: KeyStore): () => Promise<Expiry[]> {
  return async () => {
    const purposes = ISSUER_KEY_PURPOSES.map((p) => p.purpose);
    const soonest = new Map<string, Date>();
    for (const deadline of await certificateDeadlines(keys, purposes)) {
      if (deadline.state !== 'signing') continue;
      const [leaf, ca] = NAMES[deadline.purpose] ?? [deadline.purpose, `${deadline.purpose}-ca`];
      const name = deadline.position === 0 ? leaf : ca;
      const known = soonest.get(name);
      if (!known || deadline.notAfter < known) soonest.set(name, deadline.notAfter);
    }
    return [...soonest].map(([name, notAfter]) => ({ kind: 'certificate' as const, name, notAfter }));
  };
}
