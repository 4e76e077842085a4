// `npm run docs:config`: writes docs/configuration.md from the configuration schema and defaults.
import { writeFileSync } from 'node:fs';
import { configurationReference } from '../src/platform/config/reference.js';

writeFileSync(new URL('../docs/configuration.md', import.meta.url), configurationReference());
process.stdout.write('docs/configuration.md written\n');
