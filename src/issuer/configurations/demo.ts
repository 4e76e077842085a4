import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigurationStore } from './store.js';

export const DEMO_CONFIGURATIONS_DIR = join(
  dirname(fileURLToPath(import.meta.url)),
  '../../../config/demo/configurations',
);

/** The demo configurations shipped in config/demo/configurations, one JSON file each. */
export function demoConfigurations(): unknown[] {
  return readdirSync(DEMO_CONFIGURATIONS_DIR)
    .filter((name) => name.endsWith('.json'))
    .sort()
    .map((name) => JSON.parse(readFileSync(join(DEMO_CONFIGURATIONS_DIR, name), 'utf8')));
}

/** Saves the demo configurations that are not there yet (by id or type); an edited one is left alone. */
export async function seedDemoConfigurations(store: ConfigurationStore): Promise<void> {
  for (const configuration of demoConfigurations()) await store.create(configuration, { ifAbsent: true });
}
