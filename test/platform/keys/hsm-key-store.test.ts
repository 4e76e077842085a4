import { join } from 'node:path';
import { compactVerify, importJWK } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../../src/platform/db/index.js';
import {
  type KeyBackends,
  KeyStore,
  type KeyTables,
  KeyUnavailableError,
  MasterKey,
  openKeyBackends,
  signCompactJws,
  signingKeysMigration,
} from '../../../src/platform/keys/index.js';
import { generateTokenKey } from '../../../src/platform/keys/pkcs11/index.js';
import { createSoftHsmToken, isSoftHsmAvailable, type SoftHsmToken } from '../../helpers/softhsm.js';

const available = isSoftHsmAvailable();
const master = new MasterKey(Buffer.alloc(32, 9));

describe.skipIf(!available)('KeyStore with an HSM (SoftHSM2)', () => {
  let softhsm: SoftHsmToken;
  let backends: KeyBackends;
  let db: Kysely<KeyTables>;
  let close: () => Promise<void>;

  beforeAll(async () => {
    softhsm = createSoftHsmToken();
    process.env.TEST_KEYSTORE_PIN = softhsm.pin;
    backends = await openKeyBackends({
      pkcs11: {
        module: softhsm.module,
        tokenLabel: softhsm.tokenLabel,
        pin: { env: 'TEST_KEYSTORE_PIN' },
        purposes: ['issuer-sd-jwt', 'issuer-w3c-eddsa'],
      },
    });
    const database = openDatabase<KeyTables>(`sqlite:${join(softhsm.dir, 'keys.sqlite')}`);
    db = database.db;
    close = database.close;
    await migrateToLatest(db as Kysely<unknown>, 'test', { '0001_signing_keys': signingKeysMigration });
  });
  afterAll(async () => {
    await close?.();
    backends?.close();
    softhsm?.cleanup();
  });

  it('generates the keys of the HSM purposes in the token; the database holds only a reference', async () => {
    const store = new KeyStore(db, master);
    for (const [purpose, alg] of [
      ['issuer-sd-jwt', 'ES256'],
      ['issuer-w3c-eddsa', 'EdDSA'],
    ] as const) {
      const key = await store.ensureActive(purpose, alg);
      const row = await db
        .selectFrom('signing_keys')
        .selectAll()
        .where('kid', '=', key.kid)
        .executeTakeFirstOrThrow();
      expect(row.backend).toBe('pkcs11');
      const reference = JSON.parse(row.private_key);
      expect(Object.keys(reference).sort()).toEqual(['id', 'label', 'token']);
      expect(reference.token).toBe(softhsm.tokenLabel);
      expect(reference.label).toMatch(new RegExp(`^attesta-${purpose}-`));
      // A restarted service (another store) signs with the same token key; jose verifies.
      const again = await new KeyStore(db, master).ensureActive(purpose, alg);
      expect(again.kid).toBe(key.kid);
      const jws = await signCompactJws(again, { typ: 'JWT' }, { hello: 'hsm' });
      await expect(compactVerify(jws, await importJWK(key.publicJwk, alg))).resolves.toBeTruthy();
    }
    const sealed = await store.ensureActive('issuer-w3c-es256', 'ES256');
    const row = await db
      .selectFrom('signing_keys')
      .select('backend')
      .where('kid', '=', sealed.kid)
      .executeTakeFirst();
    expect(row?.backend).toBe('sealed');
    expect((await store.records()).map((r) => `${r.purpose}:${r.backend}`).sort()).toEqual([
      'issuer-sd-jwt:pkcs11',
      'issuer-w3c-eddsa:pkcs11',
      'issuer-w3c-es256:sealed',
    ]);
  });

  it('references an existing token key by label (a key made in a key ceremony)', async () => {
    const token = backends.token;
    if (!token) throw new Error('no token');
    const ceremony = await generateTokenKey(token, 'ES256', 'ceremony-2027-sdjwt');
    const store = new KeyStore(db, master);
    const key = await store.create('issuer-sd-jwt', 'ES256', { tokenLabel: 'ceremony-2027-sdjwt' });
    expect(key.publicJwk).toMatchObject({ x: ceremony.publicJwk.x, y: ceremony.publicJwk.y });
    expect((await store.signing('issuer-sd-jwt'))?.key.kid).toBe(key.kid);
    await expect(
      store.create('issuer-sd-jwt', 'EdDSA', { tokenLabel: 'ceremony-2027-sdjwt' }),
    ).rejects.toThrow(/is ES256/);
    await expect(store.create('issuer-sd-jwt', 'ES256', { tokenLabel: 'no-such-label' })).rejects.toThrow(
      /no private key labelled "no-such-label"/,
    );
  });

  it('never falls back to a software key: a token key without its token is unavailable (503)', async () => {
    const withoutHsm = new KeyStore(db, master, { hsm: null });
    const refused = await withoutHsm.ensureActive('issuer-sd-jwt', 'ES256').catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KeyUnavailableError);
    expect((refused as KeyUnavailableError).status).toBe(503);
    // And nothing sealed was created in its place.
    const rows = await db
      .selectFrom('signing_keys')
      .select('backend')
      .where('purpose', '=', 'issuer-sd-jwt')
      .execute();
    expect(rows.every((r) => r.backend === 'pkcs11')).toBe(true);
  });
});
