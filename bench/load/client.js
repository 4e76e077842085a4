// The load client of `npm run bench` (issue 14), a process of its own (plain node) so that its work
// is not counted as the servers' and does not share their event loops. Driven over IPC by
// bench/credentials.ts: `{ holders }` makes the holder keys, `{ window }` runs one closed-loop window
// against one side and answers with its figures. Per credential: POST the nonce endpoint, sign a key
// proof (OpenID4VCI 1.0 Appendix F.1) over that c_nonce with the next of ≥ 1,000 holder keys, POST the
// credential request, and check the answer: a 200 whose every credential is bound to its proof's key
// (and, one in `signatureEvery`, carries a valid issuer signature). Anything else is counted as an error.
// bench/soak.ts drives it the same way, window after window.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign,
  verify,
} from 'node:crypto';
import { Agent, request } from 'node:http';
import { performance } from 'node:perf_hooks';
import { bindingOf } from './binding.js';
import { rawCosts } from './raw.js';

const b64u = (value) => Buffer.from(value).toString('base64url');
const json64 = (value) => b64u(JSON.stringify(value));

let holders = [];
let nextHolder = 0;

function makeHolders(count) {
  holders = Array.from({ length: count }, () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' });
    return { privateKey, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } };
  });
}

function es256(privateKey, header, payload) {
  const input = `${json64(header)}.${json64(payload)}`;
  return `${input}.${b64u(sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }))}`;
}

/** An `openid4vci-proof+jwt` over the c_nonce, as a wallet signs it. */
function keyProof(holder, audience, nonce) {
  return es256(
    holder.privateKey,
    { typ: 'openid4vci-proof+jwt', alg: 'ES256', jwk: holder.jwk },
    { aud: audience, iat: Math.floor(Date.now() / 1000), nonce },
  );
}

/** RFC 9449 §4.2: a DPoP proof for one request with the access token's hash. */
function dpopProof(key, method, url, accessToken) {
  return es256(
    key.privateKey,
    { typ: 'dpop+jwt', alg: 'ES256', jwk: key.jwk },
    {
      jti: randomUUID(),
      htm: method,
      htu: url,
      iat: Math.floor(Date.now() / 1000),
      ath: b64u(createHash('sha256').update(accessToken).digest()),
    },
  );
}

function post(agent, url, headers, body) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers }, (res) => {
      const chunks = [];
      res.on('data', (chunk) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(body);
  });
}

function issuerVerifier(jwk) {
  if (!jwk) return undefined;
  const key = createPublicKey({ key: jwk, format: 'jwk' });
  return (jws) => {
    const [h, p, s] = jws.split('.');
    return verify(
      'sha256',
      Buffer.from(`${h}.${p}`),
      { key, dsaEncoding: 'ieee-p1363' },
      Buffer.from(s, 'base64url'),
    );
  };
}

/**
 * One window: `connections` loops, each on its own keep-alive connection, for `seconds`. A loop asks
 * for one credential after another (a batch of `batch` proofs when > 1).
 */
async function runWindow(w) {
  const { target, connections, seconds } = w;
  const batch = target.batch ?? 1;
  const verifySignature = issuerVerifier(target.issuerJwk);
  const latencies = [];
  const errors = {};
  let credentials = 0;
  let requests = 0;
  const fail = (reason) => {
    errors[reason] = (errors[reason] ?? 0) + 1;
  };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (slot) => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const token = target.tokens[slot % target.tokens.length];
    // A DPoP-bound token comes with the key it is bound to (`dpopKeys`, private JWKs by token index).
    const dpopJwk = target.dpopKeys?.[slot % target.tokens.length];
    const dpopKey = dpopJwk && {
      privateKey: createPrivateKey({ key: dpopJwk, format: 'jwk' }),
      jwk: { kty: dpopJwk.kty, crv: dpopJwk.crv, x: dpopJwk.x, y: dpopJwk.y },
    };
    while (performance.now() < deadline) {
      const t0 = performance.now();
      try {
        const nonceAnswer = await post(agent, target.nonceUrl, { 'content-length': '0' }, '');
        requests++;
        if (nonceAnswer.status !== 200) {
          fail(`nonce ${nonceAnswer.status}`);
          continue;
        }
        const nonce = JSON.parse(nonceAnswer.body).c_nonce;
        const used = [];
        for (let i = 0; i < batch; i++) used.push(holders[nextHolder++ % holders.length]);
        const proofs = used.map((holder) => keyProof(holder, target.audience, nonce));
        const headers = {
          'content-type': 'application/json',
          authorization: `${dpopKey ? 'DPoP' : 'Bearer'} ${token}`,
          ...(dpopKey ? { dpop: dpopProof(dpopKey, 'POST', target.credentialUrl, token) } : {}),
        };
        const body = JSON.stringify({
          credential_configuration_id: target.configurationId,
          proofs: { jwt: proofs },
        });
        const answer = await post(agent, target.credentialUrl, headers, body);
        requests++;
        if (answer.status !== 200) {
          fail(`credential ${answer.status} ${answer.body.slice(0, 160)}`);
          continue;
        }
        const issued = JSON.parse(answer.body).credentials;
        if (!Array.isArray(issued) || issued.length !== batch) {
          fail('wrong number of credentials');
          continue;
        }
        let bound = true;
        for (const [i, { credential }] of issued.entries()) {
          const binding = bindingOf(target.format, credential, verifySignature, credentials % 16 === 0);
          if (binding.x !== used[i].jwk.x || binding.y !== used[i].jwk.y) bound = false;
        }
        if (!bound) {
          fail('credential not bound to the proof key');
          continue;
        }
        credentials += batch;
        latencies.push(performance.now() - t0);
      } catch (error) {
        fail(`client: ${error.message}`);
      }
    }
    agent.destroy();
  };
  await Promise.all(Array.from({ length: connections }, (_, slot) => loop(slot)));
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (p) =>
    latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
  const result = { completed: credentials, requests, elapsed, p50: at(50), p90: at(90), p99: at(99), errors };
  // The soak (bench/soak.ts) pools the latencies of several windows into one percentile.
  return w.latencies ? { ...result, latencies } : result;
}

process.on('message', async (message) => {
  try {
    if (message.holders) {
      makeHolders(message.holders);
      process.send({ ok: true });
    } else if (message.window) {
      process.send({ ok: true, result: await runWindow(message.window) });
    } else if (message.raw) {
      process.send({ ok: true, result: rawCosts(message.raw.kinds, message.raw.count) });
    } else if (message.stop) {
      process.exit(0);
    }
  } catch (error) {
    process.send({ ok: false, error: String(error?.stack ?? error) });
  }
});
process.send({ ready: true });
