import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Config } from '../../../src/platform/config/index.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../../helpers/databases.js';
import { freePort, testConfig } from '../../helpers/system.js';
import {
  createOffer,
  dpopProof,
  freshNonce,
  type HttpResult,
  newDpopKey,
  postCredential,
  preAuthorizedCode,
  preAuthorizedToken,
  proofsFor,
  redeem,
} from '../helpers/protocol-client.js';
import { type ProtocolIssuer, startProtocolIssuer } from '../helpers/protocol-issuer.js';
import { newHolder, proofJwt } from '../helpers/wallet.js';

/**
 * Issue 15 §7: two issuer instances (same identifier, master key and PostgreSQL database, each on its
 * own port, as behind a load balancer) refuse every replay of a single-use value, raced over HTTP at
 * both at once: c_nonce, pre-authorized code, DPoP proof (jti), deferred transaction id; and a
 * notification id is only ever the wallet's own. Store-level races on both dialects are in
 * stores.test.ts and nonce-store.test.ts; authorization codes and refresh tokens across two authz
 * instances in test/authz/instances.test.ts.
 */

let database: TestDatabase | undefined;
let prepared: { config: Config; dataDir: string };
let a: ProtocolIssuer;
let b: ProtocolIssuer;
/** Where each instance listens; both answer as the same issuer (`a.url`, its public identifier). */
let urlA = '';
let urlB = '';

beforeAll(async () => {
  if (!(await isPostgresAvailable())) return;
  database = await createPostgresDatabase();
  prepared = await testConfig({ services: ['issuer'] });
  a = await startProtocolIssuer({ prepared, database: database.url });
  const port = await freePort();
  const configB: Config = { ...prepared.config, issuer: { ...prepared.config.issuer, port } };
  b = await startProtocolIssuer({ prepared: { ...prepared, config: configB }, database: database.url });
  urlA = a.url;
  urlB = `http://localhost:${port}`;
}, 60_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await database?.drop();
  if (prepared) rmSync(prepared.dataDir, { recursive: true, force: true });
});

/** The same request sent twice to each instance at once; the answers in that order (A, B, A, B). */
function raceBoth(send: (url: string) => Promise<HttpResult>): Promise<HttpResult[]> {
  return Promise.all([send(urlA), send(urlB), send(urlA), send(urlB)]);
}

/** Exactly one answer succeeded; every other one is the protocol's refusal `error` (with `status`). */
function expectOneWinner(results: HttpResult[], success: number, status: number, error: string) {
  const outcome = results.map((r) => (r.status === success ? 'ok' : `${r.status} ${r.body?.error}`));
  expect(outcome.filter((o) => o === 'ok')).toHaveLength(1);
  expect(outcome.filter((o) => o !== 'ok')).toEqual(Array(results.length - 1).fill(`${status} ${error}`));
}

describe('two issuer instances on one PostgreSQL database refuse raced replays', () => {
  it('a c_nonce: one credential for it, invalid_nonce for the rest', async (context) => {
    if (!database) return context.skip();
    const token = await preAuthorizedToken(urlA);
    const nonce = await freshNonce(urlB);
    const holder = await newHolder();
    const proof = await proofJwt(holder, { audience: a.url, nonce });
    const results = await raceBoth((url) =>
      postCredential(url, { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: [proof] } }, token),
    );
    // OpenID4VCI 1.0 §8.3.1.2: a c_nonce the issuer no longer accepts is invalid_nonce.
    expectOneWinner(results, 200, 400, 'invalid_nonce');
  });

  it('a pre-authorized code: one access token, invalid_grant for the rest', async (context) => {
    if (!database) return context.skip();
    const created = await createOffer(urlB, {
      credential_configuration_ids: ['national_id_sd_jwt'],
      claims: { given_name: 'Amara', nationalities: ['TG'] },
    });
    const code = preAuthorizedCode(created);
    const results = await raceBoth((url) => redeem(url, code));
    // RFC 6749 §5.2: a used grant is invalid_grant.
    expectOneWinner(results, 200, 400, 'invalid_grant');
  });

  it('a DPoP proof: accepted once, invalid_dpop_proof for the rest', async (context) => {
    if (!database) return context.skip();
    const key = await newDpopKey();
    const token = await preAuthorizedToken(urlA, {
      dpop: await dpopProof(key, 'POST', `${a.url}/token`),
    });
    // One proof (one jti) for the credential endpoint; each request brings its own fresh c_nonce.
    const proof = await dpopProof(key, 'POST', `${a.url}/credential`, { accessToken: token });
    const results = await raceBoth(async (url) => {
      const [jwt] = await proofsFor(url, [await newHolder()], a.url);
      return postCredential(
        url,
        { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: [jwt] } },
        token,
        { scheme: 'DPoP', headers: { dpop: proof } },
      );
    });
    // RFC 9449 §7.1: a replayed proof (jti seen before) is invalid_dpop_proof, 401 at a resource server.
    expectOneWinner(results, 200, 401, 'invalid_dpop_proof');
  });

  it('a deferred transaction id: delivered once, invalid_transaction_id for the rest', async (context) => {
    if (!database) return context.skip();
    const token = await preAuthorizedToken(urlA);
    a.issuance.pendingFor = 1;
    const [proof] = await proofsFor(urlA, [await newHolder()], a.url);
    const started = await postCredential(
      urlA,
      { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: [proof] } },
      token,
    );
    expect(started.status).toBe(202);
    const transactionId = started.body?.transaction_id as string;
    const results = await raceBoth((url) =>
      postCredential(url, { transaction_id: transactionId }, token, { path: '/deferred_credential' }),
    );
    // OpenID4VCI 1.0 §9.3: a transaction already delivered is invalid_transaction_id.
    expectOneWinner(results, 200, 400, 'invalid_transaction_id');
  });

  it("a notification id: only its wallet's token may use it, at either instance", async (context) => {
    if (!database) return context.skip();
    const token = await preAuthorizedToken(urlA);
    const [proof] = await proofsFor(urlA, [await newHolder()], a.url);
    const issued = await postCredential(
      urlA,
      { credential_identifier: 'national_id_sd_jwt', proofs: { jwt: [proof] } },
      token,
    );
    const notificationId = issued.body?.notification_id as string;
    expect(notificationId).toEqual(expect.any(String));
    const notify = (url: string, bearer: string, event: string) =>
      postCredential(url, { notification_id: notificationId, event }, bearer, { path: '/notification' });
    // Another wallet (another offer, another subject) replays the id at both instances at once.
    const other = await preAuthorizedToken(urlB);
    const replayed = await raceBoth((url) => notify(url, other, 'credential_deleted'));
    // OpenID4VCI 1.0 §11.3: an id the issuer does not know for this token is invalid_notification_id.
    expect(replayed.map((r) => `${r.status} ${r.body?.error}`)).toEqual(
      Array(4).fill('400 invalid_notification_id'),
    );
    // The wallet itself: §11.1 lets it repeat a notification; both instances take it.
    const own = await raceBoth((url) => notify(url, token, 'credential_accepted'));
    expect(own.map((r) => r.status)).toEqual([204, 204, 204, 204]);
  });
});
