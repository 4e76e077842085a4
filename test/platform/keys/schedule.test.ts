import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../../src/platform/db/index.js';
import {
  certificateReadinessCheck,
  KeyStore,
  type KeyTables,
  LocalSigningKey,
  MasterKey,
  scheduleKeyMaintenance,
  signingKeysMigration,
} from '../../../src/platform/keys/index.js';
import { createCertificate } from '../../../src/platform/keys/x509/index.js';

const DAY = 86_400_000;

describe('key maintenance: rotation by age, certificate warnings', () => {
  let dir: string;
  let db: Kysely<KeyTables>;
  let close: () => Promise<void>;
  let now = Date.UTC(2027, 0, 1);
  const clock = () => now;
  const logged: { level: string; object: object; message: string }[] = [];
  const log = {
    info: (object: object, message: string) => logged.push({ level: 'info', object, message }),
    warn: (object: object, message: string) => logged.push({ level: 'warn', object, message }),
  };

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'attesta-schedule-'));
    const database = openDatabase<KeyTables>(`sqlite:${join(dir, 'keys.sqlite')}`);
    db = database.db;
    close = database.close;
    await migrateToLatest(db as Kysely<unknown>, 'test', { '0001_signing_keys': signingKeysMigration });
    now = Date.UTC(2027, 0, 1);
    logged.length = 0;
  });
  afterEach(async () => {
    await close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('rotates a purpose once its signing key is maxAgeDays old: one pending key, signing after the lead time', async () => {
    const store = new KeyStore(db, new MasterKey(Buffer.alloc(32, 3)), { clock });
    const first = await store.ensureActive('issuer-sd-jwt', 'ES256');
    await store.ensureActive('issuer-w3c-eddsa', 'EdDSA');
    const maintenance = scheduleKeyMaintenance({
      keyStore: store,
      purposes: [
        { purpose: 'issuer-sd-jwt', alg: 'ES256' },
        { purpose: 'issuer-w3c-eddsa', alg: 'EdDSA' },
      ],
      rotation: { leadSeconds: 86400, maxAgeDays: 90, purposes: { 'issuer-w3c-eddsa': { maxAgeDays: 0 } } },
      log,
      clock,
    });
    maintenance.stop();
    now += 89 * DAY;
    expect(await maintenance.run()).toEqual([]);
    now += DAY;
    expect(await maintenance.run()).toEqual(['issuer-sd-jwt']);
    // A second instance running the same schedule sees the pending key and adds nothing.
    expect(await maintenance.run()).toEqual([]);
    const records = await store.records('issuer-sd-jwt');
    expect(records.map((r) => r.lifecycle.state).sort()).toEqual(['pending', 'signing']);
    expect((await store.signing('issuer-sd-jwt'))?.key.kid).toBe(first.kid);
    now += DAY;
    expect((await store.signing('issuer-sd-jwt'))?.key.kid).not.toBe(first.kid);
    expect(logged.find((l) => l.message.startsWith('key rotated by age'))?.object).toMatchObject({
      purpose: 'issuer-sd-jwt',
      previous: first.kid,
    });
  });

  it('warns in the log about a certificate ending within certificateWarningDays, once a day', async () => {
    const store = new KeyStore(db, new MasterKey(Buffer.alloc(32, 3)), { clock });
    const key = await store.ensureActive('issuer-mdoc-ds', 'ES256');
    const root = await LocalSigningKey.generate('ES256');
    const dn = { country: 'XA', commonName: 'Test IACA' };
    const certificate = await createCertificate({
      subject: { country: 'XA', commonName: 'Test DS' },
      subjectJwk: key.publicJwk,
      issuer: dn,
      issuerJwk: root.publicJwk,
      issuerKey: root,
      notBefore: new Date(now - DAY),
      notAfter: new Date(now + 20 * DAY),
      profile: 'document-signer',
      issuerUrl: 'https://issuer.example',
    });
    await store.setCertificateChain(key.kid, [certificate]);
    const maintenance = scheduleKeyMaintenance({
      keyStore: store,
      purposes: [{ purpose: 'issuer-mdoc-ds', alg: 'ES256' }],
      certificateWarningDays: 30,
      log,
      clock: () => now,
    });
    maintenance.stop();
    await maintenance.run();
    const warning = logged.find((l) => l.level === 'warn');
    expect(warning?.message).toMatch(/certificate ends soon/);
    expect(warning?.object).toMatchObject({ kid: key.kid, purpose: 'issuer-mdoc-ds', daysLeft: 20 });
    await maintenance.run();
    expect(logged.filter((l) => l.level === 'warn')).toHaveLength(1);
  });

  it('readiness fails on an expired certificate of a published key, naming it', async () => {
    const store = new KeyStore(db, new MasterKey(Buffer.alloc(32, 3)));
    const key = await store.ensureActive('issuer-mdoc-ds', 'ES256');
    const check = certificateReadinessCheck(store, ['issuer-mdoc-ds']);
    await expect(check.check()).resolves.toBeUndefined();
    const root = await LocalSigningKey.generate('ES256');
    const certificate = await createCertificate({
      subject: { country: 'XA', commonName: 'Lapsed DS' },
      subjectJwk: key.publicJwk,
      issuer: { country: 'XA', commonName: 'Test IACA' },
      issuerJwk: root.publicJwk,
      issuerKey: root,
      notBefore: new Date(Date.now() - 10 * DAY),
      notAfter: new Date(Date.now() - DAY),
      profile: 'document-signer',
      issuerUrl: 'https://issuer.example',
    });
    await store.setCertificateChain(key.kid, [certificate]);
    await expect(check.check()).rejects.toThrow(
      new RegExp(`certificate ".*Lapsed DS" of issuer-mdoc-ds key ${key.kid} expired on`),
    );
  });
});
