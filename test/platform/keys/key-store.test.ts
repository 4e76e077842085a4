import { createPublicKey, verify } from 'node:crypto';
import { compactVerify, importJWK } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  KeyStore,
  type KeyTables,
  MasterKey,
  signCompactJws,
  signingKeysMigration,
} from '../../../src/platform/keys/index.js';
import { migratedDatabaseForEachTest } from '../../helpers/database-hooks.js';
import { DIALECTS } from '../../helpers/databases.js';

describe.each(DIALECTS)('key store on $dialect', ({ dialect, create }) => {
  const database = migratedDatabaseForEachTest<KeyTables>({ dialect, create }, 'test', {
    '0001_signing_keys': signingKeysMigration,
  });
  const master = new MasterKey(Buffer.alloc(32, 7));

  it('creates a key once and reuses it from a second store (restart)', async () => {
    const first = await new KeyStore(database.db, master).ensureActive('authz', 'ES256');
    const again = await new KeyStore(database.db, master).ensureActive('authz', 'ES256');
    expect(again.kid).toBe(first.kid);
    expect(again.publicJwk).toEqual(first.publicJwk);
  });

  it('stores the private key encrypted, never in the clear', async () => {
    const key = await new KeyStore(database.db, master).ensureActive('issuer', 'EdDSA');
    const row = await database.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('kid', '=', key.kid)
      .executeTakeFirstOrThrow();
    expect(row.private_key).not.toMatch(/PRIVATE KEY/);
    expect(row.public_jwk).not.toContain('"d"');
    const wrongMaster = new KeyStore(database.db, new MasterKey(Buffer.alloc(32, 8)));
    await expect(wrongMaster.ensureActive('issuer', 'EdDSA')).rejects.toThrow();
  });

  it.each(['ES256', 'EdDSA'] as const)('signs %s JWS that jose verifies with the public JWK', async (alg) => {
    const key = await new KeyStore(database.db, master).ensureActive(`p-${alg}`, alg);
    const jws = await signCompactJws(key, { typ: 'JWT' }, { hello: 'world' });
    const { payload, protectedHeader } = await compactVerify(jws, await importJWK(key.publicJwk, alg));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ hello: 'world' });
    expect(protectedHeader).toMatchObject({ alg, kid: key.kid, typ: 'JWT' });
    const raw = await key.sign(new TextEncoder().encode('x'));
    const pub = createPublicKey({ key: key.publicJwk as never, format: 'jwk' });
    expect(
      verify(
        alg === 'ES256' ? 'sha256' : null,
        Buffer.from('x'),
        { key: pub, dsaEncoding: 'ieee-p1363' },
        raw,
      ),
    ).toBe(true);
  });

  it('publishes every key of a purpose after a new one is added', async () => {
    const store = new KeyStore(database.db, master);
    const old = await store.ensureActive('authz', 'ES256');
    const fresh = await store.create('authz', 'ES256');
    const jwks = await store.publicJwks('authz');
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([old.kid, fresh.kid].sort());
    expect(jwks.keys.every((k) => k.d === undefined)).toBe(true);
  });
});
