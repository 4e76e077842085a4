import type { CredentialConfigurationSource } from '../issuance/types.js';
import type { ConfigurationStore } from './store.js';
import type { CredentialConfiguration } from './types.js';

/** How stale a cache may be before it asks the database whether anything changed. */
export const CONFIGURATION_RECHECK_MS = 1000;

interface Snapshot {
  version: number;
  byId: Map<string, CredentialConfiguration>;
  list: CredentialConfiguration[];
}

/**
 * The enabled configurations, cached. At most once a second a call reads the one-row epoch; only
 * when another instance (or this one) changed something are the configurations read again. A
 * configuration object is immutable, so compiled templates can be cached by its identity.
 */
export class CachedConfigurationSource implements CredentialConfigurationSource {
  private snapshot?: Snapshot;
  private checkedAt = 0;
  private refreshing?: Promise<Snapshot>;

  constructor(
    private readonly store: ConfigurationStore,
    private readonly recheckMs = CONFIGURATION_RECHECK_MS,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Forces the next call to look at the database (this instance changed something). */
  invalidate(): void {
    this.checkedAt = 0;
  }

  /** The epoch of the snapshot in use (for metadata caches built on top). */
  async version(): Promise<number> {
    return (await this.current()).version;
  }

  async get(id: string): Promise<CredentialConfiguration | undefined> {
    return (await this.current()).byId.get(id);
  }

  async list(): Promise<CredentialConfiguration[]> {
    return (await this.current()).list;
  }

  private async current(): Promise<Snapshot> {
    if (this.snapshot && this.clock() - this.checkedAt < this.recheckMs) return this.snapshot;
    this.refreshing ??= this.refresh().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async refresh(): Promise<Snapshot> {
    const version = await this.store.version();
    if (!this.snapshot || this.snapshot.version !== version) {
      const enabled = (await this.store.all())
        .filter((s) => s.enabled)
        .map((s) => Object.freeze(s.configuration));
      this.snapshot = { version, byId: new Map(enabled.map((c) => [c.id, c])), list: enabled };
    }
    this.checkedAt = this.clock();
    return this.snapshot;
  }
}
