// Runs authz + issuer in their own process for the benchmark, so the load generator does not share
// their event loop. The configuration arrives as JSON in ATTESTA_BENCH_CONFIG.
import type { Config } from '../src/platform/config/index.js';
import { startSystem } from '../src/system.js';

const config = JSON.parse(process.env.ATTESTA_BENCH_CONFIG ?? '') as Config;
const system = await startSystem(config, ['authz', 'issuer']);
process.send?.({ ready: true });
process.on('message', async (message: { stop?: boolean }) => {
  if (message.stop) {
    await system.stop();
    process.exit(0);
  }
});
