import { createHash } from 'node:crypto';
import type { Config } from '../../platform/config/index.js';
import { UpstreamError } from '../errors.js';
import { requireSecureUrl } from '../http.js';
import { type CredentialType, fetchIssuerCatalog, type IssuerCatalog } from './issuer-metadata.js';
import { TtlCache } from './ttl-cache.js';

/** Issuer metadata is re-read this often, so a new credential configuration shows up soon. */
const CATALOG_TTL_MS = 60_000;

/** A short, stable name of an issuer for URLs: its identifier hashed (never the identifier itself). */
export function issuerKey(issuer: string): string {
  return createHash('sha256').update(issuer).digest('base64url').slice(0, 12);
}

export type IssuerEntry =
  | { key: string; url: string; primary: boolean; catalog: IssuerCatalog; error?: undefined }
  | { key: string; url: string; primary: boolean; catalog?: undefined; error: UpstreamError };

/**
 * The issuers of the catalogue: ours (`portal.issuerUrl`) first, then `portal.issuers`, each with
 * its metadata cached on its own, so one issuer being down hides only its own credentials.
 */
export class Catalogs {
  private readonly entries: { key: string; url: string; cache: TtlCache<IssuerCatalog> }[];

  constructor(config: Config, ttlMs = CATALOG_TTL_MS) {
    const urls = [...new Set([config.portal.issuerUrl, ...config.portal.issuers])];
    this.entries = urls.map((url) => ({
      key: issuerKey(url),
      url,
      cache: new TtlCache(() => {
        requireSecureUrl(config, url, 'issuer_metadata');
        return fetchIssuerCatalog(url);
      }, ttlMs),
    }));
  }

  get primary(): string {
    return this.entries[0]?.url ?? '';
  }

  /** Every issuer, fetched in parallel; a failure is kept as the entry's error. */
  async all(): Promise<IssuerEntry[]> {
    return Promise.all(
      this.entries.map(async ({ key, url, cache }, i): Promise<IssuerEntry> => {
        try {
          return { key, url, primary: i === 0, catalog: await cache.get() };
        } catch (error) {
          if (!(error instanceof UpstreamError)) throw error;
          return { key, url, primary: i === 0, error };
        }
      }),
    );
  }

  /** The catalogue of one issuer by key (absent: the primary issuer), or undefined if unknown. */
  async byKey(key: string | undefined): Promise<IssuerCatalog | undefined> {
    const entry = key === undefined ? this.entries[0] : this.entries.find((e) => e.key === key);
    return entry?.cache.get();
  }

  /** The catalogue of one issuer by identifier (a flow remembers its issuer's identifier). */
  async byUrl(url: string): Promise<IssuerCatalog | undefined> {
    return this.entries.find((e) => e.url === url)?.cache.get();
  }

  /** One credential type, looked up the way the start route names it. */
  async type(
    key: string | undefined,
    id: string,
  ): Promise<{ catalog: IssuerCatalog; type: CredentialType } | undefined> {
    const catalog = await this.byKey(key);
    const type = catalog?.types.find((t) => t.id === id);
    return catalog && type ? { catalog, type } : undefined;
  }
}
