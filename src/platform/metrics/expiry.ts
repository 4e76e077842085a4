import { Gauge } from 'prom-client';
import { metricsRegistry } from './registry.js';

export interface Expiry {
  /** `certificate` (mdoc IACA, document signer, x5c chains) or `key` (a key with an end of use). */
  kind: 'certificate' | 'key';
  /** A stable, low-cardinality name (`iaca`, a key purpose), never a serial or subject. */
  name: string;
  notAfter: Date;
}

/** Reads the current expiries of one service (from its database, so renewals show at once). */
export type ExpiryReader = () => Promise<Expiry[]>;

const readers = new Map<ExpiryReader, string>();

new Gauge({
  name: 'attesta_expiry_days',
  help: 'Days until a certificate or key expires (negative once expired), by service, kind and name',
  labelNames: ['service', 'kind', 'name'] as const,
  registers: [metricsRegistry],
  async collect() {
    this.reset();
    const now = Date.now();
    for (const [read, service] of readers) {
      try {
        for (const { kind, name, notAfter } of await read()) {
          const days = (notAfter.getTime() - now) / 86_400_000;
          this.set({ service, kind, name }, Math.floor(days * 100) / 100);
        }
      } catch {
        // A reader that cannot answer now is absent from this scrape; readiness says why.
      }
    }
  },
});

/** Publishes a service's certificate and key expiries; the returned function withdraws them (at close). */
export function observeExpiry(service: string, read: ExpiryReader): () => void {
  readers.set(read, service);
  return () => readers.delete(read);
}
