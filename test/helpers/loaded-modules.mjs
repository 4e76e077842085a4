// Preload for a child process (`node --import ./test/helpers/loaded-modules.mjs …`): records the URL
// of every module node loads (ES modules and CommonJS alike, through node:module's synchronous
// hooks) and writes them to $LOADED_MODULES_FILE as JSON `{ "seq": n, "urls": [...] }` on SIGUSR2
// (ask a running process) and when the process exits; n counts the writes, so a reader knows the
// answer is fresh. Plain JavaScript: it runs in the built `dist/cli.js` as well as under tsx.
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const loaded = new Set();
registerHooks({
  load(url, context, nextLoad) {
    loaded.add(url);
    return nextLoad(url, context);
  },
});
let seq = 0;
function write() {
  seq++;
  writeFileSync(
    process.env.LOADED_MODULES_FILE ?? 'loaded-modules.json',
    JSON.stringify({ seq, urls: [...loaded] }),
  );
}
process.on('SIGUSR2', write);
process.on('exit', write);
