// In-process A/B of single steps of the credential request path (docs/benchmarks.md, session 25):
// each case's CPU µs per call, the cases alternating within every round so the machine's load
// falls on all of them alike. `npx tsx bench/request-path.ts <step> [rounds]`.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { Agent, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import { base64url, decodeJwt, decodeProtectedHeader, exportJWK, generateKeyPair, SignJWT } from 'jose';
import type { Kysely } from 'kysely';
import { v7 } from 'uuid';
import { decodeBase64url, parseCompactJwt } from '../src/issuer/compact-jwt.js';
import type { TemplateConfig, TemplateNode } from '../src/issuer/configurations/types.js';
import { timeOrderedUuid } from '../src/issuer/ledger/credential-id.js';
import { CompiledTemplate } from '../src/issuer/templates/compile.js';
import { plainPath } from '../src/issuer/templates/plain-path.js';
import { migrateToLatest, openDatabase, prepareStatement } from '../src/platform/db/index.js';
import { loggerOptions } from '../src/platform/logger.js';
import {
  demoIdentities,
  registryMigrations,
  SqlIdentityRegistry,
} from '../src/platform/registry/sql-registry.js';
import { createServer } from '../src/platform/server.js';
import { alternatingCpuPerOp } from './alternating-cpu.js';

type Cases = Record<string, () => Promise<unknown>>;
const batch = (n: number, op: () => unknown) => async () => {
  for (let i = 0; i < n; i++) op();
};

/** The `/nonce` answer on a server: what is left of a request is the layers around it. */
function nonceLike(app: FastifyInstance): FastifyInstance {
  app.post('/nonce', async (_request, reply) =>
    reply.header('cache-control', 'no-store').send({ c_nonce: 'AQAAAZr0yQkAbm9uY2Vub25jZW5vbmNlbm9uY2U' }),
  );
  return app;
}

/** One op: `n` POSTs in flight at once on keep-alive connections, as the bench's load client sends them. */
async function poster(app: FastifyInstance, n: number): Promise<() => Promise<unknown>> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const agent = new Agent({ keepAlive: true, maxSockets: n });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = httpRequest(
        {
          agent,
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/nonce',
          headers: { 'content-length': '0' },
        },
        (res) => {
          res.resume();
          res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}`))));
        },
      );
      req.on('error', reject);
      req.end();
    });
  return () => Promise.all(Array.from({ length: n }, one));
}

const discard = { write: (_line: string) => undefined };

const steps: Record<string, () => Promise<{ cases: Cases; per: number }>> = {
  // A ledger id: uuid's v7() (its own getRandomValues per id) against ours (bytes from the pool).
  async uuid() {
    const per = 100;
    return {
      per,
      cases: {
        'uuid v7()': batch(per, () => v7()),
        'timeOrderedUuid()': batch(per, () => timeOrderedUuid()),
      },
    };
  },
  // The identity registry's lookup by id, as each credential makes it: through Kysely's executor
  // (before) and straight on better-sqlite3 while no transaction is open (readOutsideUnits).
  async registry() {
    const per = 50;
    const url = `sqlite:${join(mkdtempSync(join(tmpdir(), 'attesta-bench-')), 'registry.db')}`;
    await (await SqlIdentityRegistry.open(url)).seed(demoIdentities()).then(() => undefined);
    const database = openDatabase(url, { name: 'registry' });
    await migrateToLatest(database.db as Kysely<unknown>, 'registry', registryMigrations);
    const text = 'select * from "identities" where "individual_id" = $1';
    const throughKysely = prepareStatement(text);
    const straight = prepareStatement(text, { readOutsideUnits: true });
    const ids = demoIdentities().map((identity) => identity.individualId);
    const db = database.db as Kysely<unknown>;
    const loop = (statement: typeof straight) => async () => {
      for (let i = 0; i < per; i++) await statement.run(db, [ids[i % ids.length]]);
    };
    return {
      per,
      cases: { 'through Kysely': loop(throughKysely), 'straight (readOutsideUnits)': loop(straight) },
    };
  },
  // The demo's national_id_sd_jwt template on a demo person: as compiled now (plain paths, string
  // literals and helper calls on plain paths without the evaluator) and with every leaf but the
  // plain paths given to JSONata (a trailing JSONata comment hides them from the fast paths).
  async render() {
    const per = 20;
    const file = new URL('../config/demo/configurations/national_id_sd_jwt.json', import.meta.url);
    const { template } = JSON.parse(readFileSync(file, 'utf8')) as { template: TemplateConfig };
    const hide = (node: TemplateNode): TemplateNode =>
      typeof node === 'string'
        ? plainPath(node)
          ? node
          : `${node} /* */`
        : Object.fromEntries(Object.entries(node).map(([k, v]) => [k, hide(v)]));
    const ours = new CompiledTemplate('national_id_sd_jwt', template);
    const evaluator = new CompiledTemplate('national_id_sd_jwt', {
      ...template,
      output: hide(template.output) as never,
    });
    const [person] = demoIdentities() as unknown as Record<string, unknown>[];
    const token = { sub: 'someone' };
    const loop = (compiled: CompiledTemplate) => async () => {
      for (let i = 0; i < per; i++) await compiled.render(person ?? {}, { token });
    };
    if (
      JSON.stringify(await ours.render(person ?? {}, { token })) !==
      JSON.stringify(await evaluator.render(person ?? {}, { token }))
    )
      throw new Error('the two renders differ');
    return {
      per,
      cases: { 'JSONata for literals and helper calls': loop(evaluator), 'fast paths': loop(ours) },
    };
  },
  // The base64url parts a credential request decodes (the access token's header, payload and
  // signature, the proof's signature): jose's decode against decodeBase64url.
  async decode() {
    const per = 50;
    const part = (length: number) =>
      Buffer.from(
        randomUUID()
          .repeat(Math.ceil(length / 36))
          .slice(0, length),
      ).toString('base64url');
    const parts = [part(90), part(520), part(64), part(64)];
    const loop = (decode: (text: string) => Uint8Array) => async () => {
      for (let i = 0; i < per; i++) for (const p of parts) decode(p);
    };
    return {
      per,
      cases: { "jose's base64url.decode": loop(base64url.decode), decodeBase64url: loop(decodeBase64url) },
    };
  },
  // A key proof's header and payload (OpenID4VCI 1.0 Appendix F.1, a jwk header): jose's
  // decodeProtectedHeader + decodeJwt against parseCompactJwt (what verifyJwtProof now does first).
  async 'proof-parse'() {
    const per = 50;
    const { privateKey, publicKey } = await generateKeyPair('ES256');
    const jwk = await exportJWK(publicKey);
    const proof = await new SignJWT({
      aud: 'https://issuer.example',
      nonce: 'AQAAAZr0yQkAbm9uY2Vub25jZW5vbmNlbm9uY2U',
    })
      .setProtectedHeader({ alg: 'ES256', typ: 'openid4vci-proof+jwt', jwk })
      .setIssuedAt()
      .sign(privateKey);
    return {
      per,
      cases: {
        jose: async () => {
          for (let i = 0; i < per; i++) {
            decodeProtectedHeader(proof);
            decodeJwt(proof);
          }
        },
        parseCompactJwt: async () => {
          for (let i = 0; i < per; i++) parseCompactJwt(proof);
        },
      },
    };
  },
  // The platform's per-request layers (request log, metrics, trace annotation, overload gate) on a
  // route that does almost nothing, against a bare Fastify with the same logger: CPU per request of
  // this process (server and client), the client's share the same on both.
  async layers() {
    const per = 16;
    const platform = createServer({
      service: 'issuer',
      logLevel: 'info',
      logStream: discard,
      overload: {
        enabled: true,
        concurrency: 64,
        queue: 256,
        queueTimeoutMs: 2000,
        turnBudgetMs: 1000, // production: 20; here no shedding when the machine stalls the process
        retryAfterSeconds: 2,
        busyDelayMs: 1000,
      },
    });
    const bare = Fastify({
      logger: loggerOptions('issuer', 'info', discard),
      logController: new LogController({ disableRequestLogging: true }),
      genReqId: () => randomUUID(),
    });
    const noGate = createServer({ service: 'issuer', logLevel: 'info', logStream: discard });
    return {
      per,
      cases: {
        'bare Fastify': await poster(nonceLike(bare), per),
        'createServer without the overload gate': await poster(nonceLike(noGate), per),
        'createServer (platform layers)': await poster(nonceLike(platform), per),
      },
    };
  },
};

const [step = 'uuid', roundsArg = '8'] = process.argv.slice(2);
const make = steps[step];
if (!make) throw new Error(`unknown step ${step}; one of ${Object.keys(steps).join(', ')}`);
const { cases, per } = await make();
const before = loadavg()[0]?.toFixed(1);
const result = await alternatingCpuPerOp(cases, { rounds: Number(roundsArg), perRound: 200, warmUp: 200 });
console.log(
  `${step}: ${roundsArg} rounds of ${200 * per} calls per case, load ${before} → ${loadavg()[0]?.toFixed(1)}`,
);
const [base] = Object.values(result);
for (const [name, ms] of Object.entries(result))
  console.log(`| ${name} | ${((ms * 1000) / per).toFixed(2)} µs | ${(ms / (base ?? ms)).toFixed(2)}× |`);
process.exit(0);
