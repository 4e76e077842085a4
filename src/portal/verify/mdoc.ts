import { verifyMdoc } from '../../credentials/mdoc/verify.js';
import { CredentialVerificationError } from '../../credentials/sd-jwt-vc/index.js';
import type { Config } from '../../platform/config/index.js';
import { request, requireSecureUrl } from '../http.js';
import { report, type VerificationReport } from './report.js';

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

/**
 * An `mso_mdoc` IssuerSigned (base64url, as OpenID4VCI returns it): the document-signer chain must
 * end at the IACA root of an issuer of the catalogue, then the MSO signature, digests and validity.
 */
export async function verifyMdocReport(
  config: Config,
  issuers: string[],
  encoded: string,
): Promise<VerificationReport> {
  const format = 'mso_mdoc';
  const roots = await trustedRoots(config, issuers);
  try {
    const verified = await verifyMdoc(encoded, { trustedCertificates: roots });
    const claims: Record<string, unknown> = {};
    for (const elements of Object.values(verified.namespaces)) {
      for (const [name, value] of Object.entries(elements)) {
        claims[name] = value instanceof Uint8Array ? `(${value.length} bytes)` : value;
      }
    }
    return report({
      format,
      issuer: verified.docType,
      checks: { signature: 'passed', issuer: 'passed', validity: 'passed', status: 'skipped' },
      claims: JSON.parse(JSON.stringify(claims)) as Record<string, unknown>,
    });
  } catch (error) {
    const reason = error instanceof CredentialVerificationError ? error.message : 'invalid';
    const time = /valid/i.test(reason);
    const chain = /chain|certificate|trust/i.test(reason);
    return report({
      format,
      checks: {
        signature: time ? 'passed' : 'failed',
        issuer: chain ? 'failed' : time ? 'passed' : 'skipped',
        validity: time ? 'failed' : 'skipped',
        status: 'skipped',
      },
      reasons: [reason],
    });
  }
}
