import type { Adapter, AdapterPayload } from 'oidc-provider';
import { toProviderMetadata } from './record.js';
import type { ClientStore } from './store.js';

/**
 * oidc-provider's `Client` model read from authz_clients. A disabled or unknown client is "not
 * found" (invalid_client at the token endpoint, an error page at authorization). oidc-provider
 * re-validates the metadata only when it changes (it caches clients by a hash of the payload).
 * Clients are managed by ClientStore, never written by oidc-provider (no dynamic registration).
 */
export class ClientAdapter implements Adapter {
  constructor(private readonly store: ClientStore) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    const record = await this.store.get(id);
    if (!record || record.disabled) return undefined;
    return toProviderMetadata(record);
  }

  async upsert(): Promise<void> {
    throw new Error('clients are managed through the admin API, not by oidc-provider');
  }
  async findByUid(): Promise<undefined> {
    return undefined;
  }
  async findByUserCode(): Promise<undefined> {
    return undefined;
  }
  async consume(): Promise<void> {}
  async destroy(): Promise<void> {
    throw new Error('clients are managed through the admin API, not by oidc-provider');
  }
  async revokeByGrantId(): Promise<void> {}
}
