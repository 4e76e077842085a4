import type { IdentityRegistry } from '../../platform/registry/index.js';
import type { DataProvider, ProviderAnswer } from './types.js';

/** The identity registry (whatever adapter the platform configured, as authz uses) as a provider. */
export class RegistryProvider implements DataProvider {
  constructor(private readonly registry: IdentityRegistry) {}

  async lookup(key: string): Promise<ProviderAnswer> {
    const identity = await this.registry.findByIndividualId(key);
    return identity ? { kind: 'found', record: { ...identity } } : { kind: 'missing' };
  }
}
