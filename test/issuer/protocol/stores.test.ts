import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeferredStore } from '../../../src/issuer/deferred/store.js';
import { DpopVerifier } from '../../../src/issuer/dpop/verify.js';
import { NotificationStore } from '../../../src/issuer/notification/store.js';
import { OfferStore } from '../../../src/issuer/offers/store.js';
import {
  PROTOCOL_MIGRATION_SET,
  type ProtocolTables,
  protocolMigrations,
} from '../../../src/issuer/protocol-database.js';
import { type Database, migrateToLatest, openDatabase } from '../../../src/platform/db/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../../helpers/databases.js';
import { dpopProof, newDpopKey } from '../helpers/protocol-client.js';

const SECRET = Buffer.alloc(32, 7);

/**
 * The protocol layer's tables on both dialects, each with two handles on one database (two issuer
 * instances): single use and attempt limits must hold across instances.
 */
describe.each(DIALECTS)('protocol stores on $dialect', ({ dialect, create }) => {
  let testDb: TestDatabase | undefined;
  const open: Database<ProtocolTables>[] = [];
  let a: Kysely<ProtocolTables>;
  let b: Kysely<ProtocolTables>;

  const connect = (url: string) => {
    const database = openDatabase<ProtocolTables>(url);
    open.push(database);
    return database.db;
  };

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    a = connect(testDb.url);
    b = connect(testDb.url);
    await migrateToLatest(a as Kysely<unknown>, PROTOCOL_MIGRATION_SET, protocolMigrations);
  });

  afterEach(async () => {
    for (const database of open.splice(0)) await database.close();
    await testDb?.drop();
  });

  const offer = (store: OfferStore, attempts = 3) =>
    store.create({
      configurationIds: ['x'],
      claims: { given_name: 'A' },
      preAuthorized: { txCode: { length: 6, input_mode: 'numeric' } },
      ttlSeconds: 60,
      attempts,
    });

  it('a pre-authorized code is redeemed once, by one of two instances racing', async () => {
    const first = new OfferStore(a, SECRET);
    const second = new OfferStore(b, SECRET);
    const { stored, txCode } = await offer(first, 10);
    // Both instances derive the same code for the by-reference document.
    expect((await second.get(stored.id))?.preAuthorizedCode).toBe(stored.preAuthorizedCode);
    const results = await Promise.all([
      first.redeem(stored.preAuthorizedCode as string, txCode),
      second.redeem(stored.preAuthorizedCode as string, txCode),
      first.redeem(stored.preAuthorizedCode as string, txCode),
    ]);
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('attempts are counted across instances, and a code dies when they are spent', async () => {
    const first = new OfferStore(a, SECRET);
    const second = new OfferStore(b, SECRET);
    const { stored, txCode } = await offer(first, 3);
    const code = stored.preAuthorizedCode as string;
    const wrong = txCode === '000000' ? '111111' : '000000';
    await Promise.all([first.redeem(code, wrong), second.redeem(code, wrong), first.redeem(code, wrong)]);
    expect(await second.redeem(code, txCode)).toBeUndefined();
  });

  it('an expired code is refused; another secret derives another code', async () => {
    let now = Date.now();
    const store = new OfferStore(a, SECRET, () => now);
    const { stored, txCode } = await offer(store);
    expect((await new OfferStore(a, Buffer.alloc(32, 8)).get(stored.id))?.preAuthorizedCode).not.toBe(
      stored.preAuthorizedCode,
    );
    now += 61_000;
    expect(await store.redeem(stored.preAuthorizedCode as string, txCode)).toBeUndefined();
  });

  it('a deferred transaction is delivered once and only to its owner', async () => {
    const first = new DeferredStore(a, 60);
    const second = new DeferredStore(b, 60);
    const id = await first.start('as alice', {
      pending: { configurationId: 'x', subject: { sub: 'alice', claims: {} }, holderJwks: [] },
      interval: 5,
    });
    expect(await second.get(id, 'as bob')).toBeUndefined();
    expect((await second.get(id, 'as alice'))?.interval).toBe(5);
    const finished = await Promise.all([first.finish(id), second.finish(id)]);
    expect(finished.filter(Boolean)).toHaveLength(1);
    expect(await first.get(id, 'as alice')).toBeUndefined();
  });

  it('notifications are recorded for their owner, idempotently', async () => {
    const store = new NotificationStore(a);
    const id = await store.create('as alice', 'x', ['c1', 'c2']);
    expect(await store.record(id, 'as bob', 'credential_accepted')).toBe(false);
    expect(await store.record(id, 'as alice', 'credential_accepted')).toBe(true);
    expect(await new NotificationStore(b).record(id, 'as alice', 'credential_accepted')).toBe(true);
    expect(await store.get(id)).toEqual({ event: 'credential_accepted', credentialIds: ['c1', 'c2'] });
  });

  it('a notification id is answered for its retention, then its row is swept, oldest first, in bounded batches', async () => {
    const hour = 3_600_000;
    let now = Date.parse('2026-12-08T00:00:00Z');
    const store = new NotificationStore(a, () => now, { ttlSeconds: 3600 });
    const old: string[] = [];
    for (let i = 0; i < 5; i++) old.push(await store.create('as alice', 'x', [`c${i}`]));
    now += hour / 2;
    const recent = await store.create('as alice', 'x', ['r']);
    // The sweep a create starts once a minute runs now, with nothing old enough yet.
    await new Promise((resolve) => setImmediate(resolve));
    expect(await store.record(old[0] as string, 'as alice', 'credential_accepted')).toBe(true);
    now += hour / 2;
    // Past its retention an id is unknown at once, swept or not; a younger one still answers, repeatedly.
    expect(await store.record(old[0] as string, 'as alice', 'credential_accepted')).toBe(false);
    expect(await store.record(recent, 'as alice', 'credential_accepted')).toBe(true);
    expect(await store.record(recent, 'as alice', 'credential_accepted')).toBe(true);
    // Two statements of at most two rows per sweep, then the next sweep takes the rest.
    expect(await store.sweep(2, 2)).toBe(4);
    expect(await store.sweep(2, 2)).toBe(1);
    expect(await store.sweep(2, 2)).toBe(0);
    for (const id of old) expect(await store.get(id)).toBeUndefined();
    expect(await store.get(recent)).toEqual({ event: 'credential_accepted', credentialIds: ['r'] });
  });

  it('a DPoP proof jti is accepted once across instances', async () => {
    const key = await newDpopKey();
    const proof = await dpopProof(key, 'POST', 'https://issuer.example/token', {
      claims: { jti: randomUUID() },
    });
    const check = { proof, method: 'POST', url: 'https://issuer.example/token' };
    const outcomes = await Promise.allSettled([
      new DpopVerifier(a).verify(check),
      new DpopVerifier(b).verify(check),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
  });

  it('remembered DPoP jtis are swept once their proofs would be refused anyway, in bounded batches, and by themselves', async () => {
    const start = Date.parse('2026-12-08T00:00:00Z');
    let now = start;
    const verifier = new DpopVerifier(a, () => now);
    const key = await newDpopKey();
    const url = 'https://issuer.example/credential';
    const proofAt = (at: number) =>
      dpopProof(key, 'POST', url, { claims: { iat: Math.floor(at / 1000), jti: randomUUID() } });
    const verifyAt = async (at: number) => verifier.verify({ proof: await proofAt(at), method: 'POST', url });
    const remembered = async () =>
      Number(
        (
          await a
            .selectFrom('issuer_dpop_jtis')
            .select((e) => e.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    for (let i = 0; i < 3; i++) await verifyAt(now);
    now = start + 100_000;
    const younger = await proofAt(now);
    await verifier.verify({ proof: younger, method: 'POST', url });
    expect(await remembered()).toBe(4);
    // RFC 9449 §11.1: a jti is kept while its proof could be accepted (300 s of age + 30 s of skew here).
    now = start + 400_000;
    expect(await verifier.sweep({ batch: 2, batches: 1 })).toBe(2);
    expect(await verifier.sweep({ batch: 2, batches: 1 })).toBe(1);
    expect(await verifier.sweep({ batch: 2, batches: 1 })).toBe(0);
    expect(await remembered()).toBe(1);
    await expect(verifier.verify({ proof: younger, method: 'POST', url })).rejects.toMatchObject({
      error: 'invalid_dpop_proof',
    });
    // A minute after the last sweep, a request starts the next one after it; the younger jti is now old enough.
    now = start + 470_000;
    await verifyAt(now);
    for (let i = 0; i < 100 && (await remembered()) !== 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await remembered()).toBe(1);
  });

  it("a DPoP proof jti sent twice at once through one instance's commit (one SQLite batch) is accepted once", async () => {
    const key = await newDpopKey();
    const proof = await dpopProof(key, 'POST', 'https://issuer.example/credential', {
      claims: { jti: randomUUID() },
    });
    const check = { proof, method: 'POST', url: 'https://issuer.example/credential' };
    const instance = open[0] as Database<ProtocolTables>;
    const verifier = new DpopVerifier(instance.db, Date.now, undefined, instance.commit);
    const outcomes = await Promise.allSettled([verifier.verify(check), verifier.verify(check)]);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ error: 'invalid_dpop_proof' });
    // And later, at the other instance, too.
    await expect(new DpopVerifier(b).verify(check)).rejects.toMatchObject({ error: 'invalid_dpop_proof' });
  });
});
