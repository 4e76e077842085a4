import type { CredentialConfiguration } from '../configurations/index.js';
import type { CredentialConfigurationSource } from './types.js';

/** Configurations fixed at start (the demo set shipped in code). */
export class StaticConfigurationSource implements CredentialConfigurationSource {
  constructor(private readonly configurations: ReadonlyMap<string, CredentialConfiguration>) {}

  async get(id: string): Promise<CredentialConfiguration | undefined> {
    return this.configurations.get(id);
  }

  async list(): Promise<CredentialConfiguration[]> {
    return [...this.configurations.values()];
  }
}
