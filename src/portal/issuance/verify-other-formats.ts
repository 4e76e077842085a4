import type { JWK } from 'jose';
import { didJwkFromJwk } from '../../credentials/did/index.js';
import { verifyMdoc } from '../../credentials/mdoc/verify.js';
import type { Config } from '../../platform/config/index.js';
import type { CredentialType, IssuerCatalog } from '../catalog/issuer-metadata.js';
import { UpstreamError } from '../errors.js';
import { trustedRoots } from '../verify/mdoc.js';
import { trustedDids, verifyW3cDocument } from '../verify/w3c.js';

/** What the card needs of a verified credential of any format. */
export interface CheckedCredential {
  claims: Record<string, unknown>;
  /** Claim paths of the metadata, rewritten to the shape of `claims` (mdoc: without the namespace). */
  claimsMeta: CredentialType['claims'];
  issuedAt: number | undefined;
  expiresAt: number | undefined;
}

const seconds = (date: Date | undefined) => (date ? Math.floor(date.getTime() / 1000) : undefined);

function fail(code: string, detail: string): never {
  throw new UpstreamError('verification', code, detail);
}

/** A value of an mdoc element as the card shows it: dates as ISO dates, pictures as data URIs. */
function mdocValue(value: unknown): unknown {
  if (value instanceof Uint8Array) {
    const jpeg = value[0] === 0xff && value[1] === 0xd8;
    const png = value[0] === 0x89 && value[1] === 0x50;
    return jpeg || png
      ? `data:image/${jpeg ? 'jpeg' : 'png'};base64,${Buffer.from(value).toString('base64')}`
      : `(${value.length} bytes)`;
  }
  if (value instanceof Date) return value.toISOString().slice(0, 10);
  if (Array.isArray(value)) return value.map(mdocValue);
  if (value instanceof Map) return Object.fromEntries([...value].map(([k, v]) => [String(k), mdocValue(v)]));
  if (typeof value === 'object' && value !== null) {
    const text = String(value);
    if (text !== '[object Object]') return text; // e.g. a full-date
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, mdocValue(v)]));
  }
  return value;
}

/**
 * Checks a `jwt_vc_json`, `ldp_vc` or `mso_mdoc` credential the issuer just sent, before the card
 * shows it: the format's own verification with this issuer as the only trusted one, and the holder
 * binding — the W3C subject id is the did:jwk of the proved key, the mdoc deviceKey is that key.
 */
export async function verifyOtherFormat(
  config: Config,
  catalog: IssuerCatalog,
  type: CredentialType,
  credential: string,
  holderJwk: JWK,
): Promise<CheckedCredential> {
  if (type.format === 'mso_mdoc') {
    let verified: Awaited<ReturnType<typeof verifyMdoc>>;
    try {
      verified = await verifyMdoc(credential, {
        trustedCertificates: await trustedRoots(config, [catalog.issuer]),
      });
    } catch (error) {
      fail('invalid_credential', (error as Error).message);
    }
    if (verified.deviceJwk.x !== holderJwk.x || verified.deviceJwk.y !== holderJwk.y) {
      fail('holder_binding_mismatch', 'deviceKey is not the holder key');
    }
    const [namespace = '', elements = {}] = Object.entries(verified.namespaces)[0] ?? [];
    return {
      claims: Object.fromEntries(Object.entries(elements).map(([k, v]) => [k, mdocValue(v)])),
      claimsMeta: type.claims
        .filter((c) => c.path.startsWith(`${namespace}.`))
        .map((c) => ({ ...c, path: c.path.slice(namespace.length + 1) })),
      issuedAt: seconds(verified.validFrom),
      expiresAt: seconds(verified.validUntil),
    };
  }
  let verified: Awaited<ReturnType<typeof verifyW3cDocument>>;
  try {
    const input = type.format === 'ldp_vc' ? JSON.parse(credential) : credential;
    verified = await verifyW3cDocument(config, trustedDids([catalog.issuer]), input);
  } catch (error) {
    fail('invalid_credential', (error as Error).message);
  }
  const subject = verified.credential.credentialSubject as Record<string, unknown> | undefined;
  if (!subject || subject.id !== didJwkFromJwk(holderJwk)) {
    fail('holder_binding_mismatch', 'credentialSubject.id is not the holder key');
  }
  const { id: _id, ...claims } = subject;
  const model = verified.credential as {
    validFrom?: unknown;
    issuanceDate?: unknown;
    validUntil?: unknown;
    expirationDate?: unknown;
  };
  const date = (v: unknown) => (typeof v === 'string' ? seconds(new Date(v)) : undefined);
  return {
    claims,
    // W3C claims live under credentialSubject: metadata paths start with it (1.0 Appendix A.1).
    claimsMeta: type.claims.map((c) => ({ ...c, path: c.path.replace(/^credentialSubject\./, '') })),
    issuedAt: date(model.validFrom ?? model.issuanceDate),
    expiresAt: date(model.validUntil ?? model.expirationDate),
  };
}
