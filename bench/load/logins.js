// The load client of `npm run bench -- logins` (issue 14 item 4), a process of its own (plain node) so
// that its work is not counted as the servers' and does not share their event loops. Driven over IPC by
// bench/logins.ts: `{ key }` makes the relying party's client key and answers with its public JWK;
// `{ window }` runs one closed-loop window of complete sign-ins (sign-in.js) against one side and
// answers with its figures. The demo people sign in in turn; a flow counts when its token response
// has an access_token (and the id_token of this request, scope openid) and, where the side asks for
// it, the consent page was shown and allowed. Anything else is counted as an error.
import { readFileSync } from 'node:fs';
import { Agent } from 'node:http';
import { performance } from 'node:perf_hooks';
import { discover, newClientKey, SignInError, signIn } from './sign-in.js';

const people = JSON.parse(
  readFileSync(new URL('../../config/demo/identities.json', import.meta.url), 'utf8'),
).identities;
let key;
let nextPerson = 0;

/** `target`: { issuer, client: { clientId, redirectUri, scope, resource?, prompt? }, fields, consent }. */
async function runWindow({ target, connections, seconds }) {
  const server = await discover(target.issuer);
  const client = { ...target.client, key };
  const latencies = [];
  const errors = {};
  let completed = 0;
  const fail = (reason) => {
    errors[reason] = (errors[reason] ?? 0) + 1;
  };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    while (performance.now() < deadline) {
      const person = people[nextPerson++ % people.length];
      // The login form's fields from the person's registry record (field id → attribute).
      const answers = Object.fromEntries(Object.entries(target.fields).map(([id, at]) => [id, person[at]]));
      const t0 = performance.now();
      try {
        const { consented } = await signIn(server, client, answers, agent);
        if (target.consent && !consented) {
          fail('no consent page');
          continue;
        }
        completed++;
        latencies.push(performance.now() - t0);
      } catch (error) {
        fail(error instanceof SignInError ? error.message.slice(0, 200) : `client: ${error.message}`);
      }
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: connections }, loop));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  return { completed, elapsed, p50: at(50), p90: at(90), p99: at(99), errors };
}

process.on('message', async (message) => {
  try {
    if (message.key) {
      key = newClientKey();
      process.send({ ok: true, result: key.publicJwk });
    } else if (message.window) {
      process.send({ ok: true, result: await runWindow(message.window) });
    } else if (message.stop) {
      process.exit(0);
    }
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
