import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigurationStore } from './store.js';

export const DEMO_CONFIGURATIONS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../config/demo/configurations',
);

/** Stands for the issuer's public URL in the demo files, so a demo `vct` is an https URL of this issuer. */
const ISSUER_PLACEHOLDER = '{credential_issuer}';

/**
 * The demo configurations shipped in config/demo/configurations, one JSON file each, with
 * `{credential_issuer}` replaced by the issuer's identifier: the demo `vct`s are then URLs that resolve
 * to their SD-JWT VC Type Metadata (SD-JWT VC §6.3.1) on this issuer.
 */
export function demoConfigurations(issuer = 'https://issuer.example'): unknown[] {
  return readdirSync(DEMO_CONFIGURATIONS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) =>
      JSON.parse(
        readFileSync(join(DEMO_CONFIGURATIONS_DIR, name), 'utf8').replaceAll(ISSUER_PLACEHOLDER, issuer),
      ),
    );
}

/** Saves the demo configurations that are not there yet (by id or type); an edited one is left alone. */
export async function seedDemoConfigurations(store: ConfigurationStore, issuer: string): Promise<void> {
  for (const configuration of demoConfigurations(issuer)) {
    await store.create(configuration, { ifAbsent: true });
  }
}
