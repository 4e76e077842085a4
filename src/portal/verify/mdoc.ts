import type { Config } from '../../platform/config/index.js';
import { request, requireSecureUrl } from '../http.js';

/** Where an issuer of ours publishes its IACA root certificate (PEM), the mdoc trust anchor. */
export const IACA_PATH = '/mdoc/iaca.pem';

function pemToDer(pem: string): Uint8Array[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g)].map(
    (m) => Buffer.from((m[1] ?? '').replace(/\s+/g, ''), 'base64'),
  );
}

/** The IACA roots of the catalogue's issuers (those that publish one at IACA_PATH). */
export async function trustedRoots(config: Config, issuers: string[]): Promise<Uint8Array[]> {
  const roots: Uint8Array[] = [];
  for (const issuer of issuers) {
    try {
      const url = requireSecureUrl(config, `${issuer.replace(/\/$/, '')}${IACA_PATH}`, 'verification');
      const response = await request('verification', url, { headers: { accept: 'application/x-pem-file' } });
      if (response.status === 200) roots.push(...pemToDer(response.text));
    } catch {
      // an issuer without an IACA issues no mdoc we can trust
    }
  }
  return roots;
}
