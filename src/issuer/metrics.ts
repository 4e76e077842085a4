import type { Kysely } from 'kysely';
import { Counter } from 'prom-client';
import { type Expiry, metricsRegistry } from '../platform/metrics/index.js';
import type { FormatTables } from './formats/certificates.js';

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

/** The mdoc IACA root and document-signer certificates, read from the issuer database. */
export function certificateExpiries(db: Kysely<unknown>): () => Promise<Expiry[]> {
  return async () => {
    const rows = await (db as Kysely<FormatTables>)
      .selectFrom('issuer_formats_certificates')
      .select(['name', 'not_after'])
      .execute();
    return rows.map((row) => ({
      kind: 'certificate' as const,
      name: `mdoc-${row.name}`,
      notAfter: new Date(Number(row.not_after)),
    }));
  };
}
