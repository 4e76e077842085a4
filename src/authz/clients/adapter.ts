import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { ModelStatements } from '../storage/model-statements.js';
import { toProviderMetadata } from './record.js';
import { type ClientStore, fromRow } from './store.js';

/**
 * oidc-provider's `Client` model read from authz_clients. A disabled or unknown client is "not
 * found" (invalid_client at the token endpoint, an error page at authorization). oidc-provider
 * re-validates the metadata only when it changes (it caches clients by a hash of the payload).
 * Clients are managed by ClientStore, never written by oidc-provider (no dynamic registration).
 */
export class ClientAdapter implements Adapter {
  constructor(
    private readonly store: ClientStore,
    /**
     * The prepared read of the same database (adapterStatements): oidc-provider looks a client up
     * eight times per sign-in. Without it, the store's Kysely read.
     */
    private readonly statements?: Pick<ModelStatements, 'client'>,
  ) {}

  async find(id: string): Promise<AdapterPayload | undefined> {
    const prepared = this.statements?.client(id);
    const row = prepared ? await prepared : await this.store.row(id);
    if (!row) return undefined;
    const record = fromRow(row);
    if (record.disabled) return undefined;
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
