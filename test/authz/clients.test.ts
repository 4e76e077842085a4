import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { listAudit } from '../../src/authz/admin/audit.js';
import { ClientAdapter } from '../../src/authz/clients/adapter.js';
import { type ClientRecord, clientDisplayName, toProviderMetadata } from '../../src/authz/clients/record.js';
import { ClientError, ClientStore } from '../../src/authz/clients/store.js';
import { loadSigningKeys } from '../../src/authz/keys/provider-keys.js';
import { authzKeyStore, rotateSigningKey } from '../../src/authz/keys/rotation.js';
import { adapterStatements } from '../../src/authz/storage/adapter.js';
import { authzMigrations } from '../../src/authz/storage/migrations.js';
import type { AuthzAdminTables } from '../../src/cli/authz-database.js';
import { migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { MasterKey } from '../../src/platform/keys/index.js';
import { DIALECTS, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';

const RECORD: ClientRecord = {
  client_id: 'shop',
  client_name: 'Shop',
  client_names: { fr: 'Boutique', 'ar-EG': 'متجر' },
  redirect_uris: ['https://shop.example/cb'],
  post_logout_redirect_uris: ['https://shop.example/bye'],
  jwks_uri: 'https://shop.example/jwks',
  scope: 'openid profile national_id',
  acr_values: ['urn:attesta:acr:otp'],
};

describe('client records', () => {
  it('become oidc-provider metadata: private_key_jwt, OpenID scopes only, the whole scope as extra metadata', () => {
    expect(toProviderMetadata(RECORD)).toMatchObject({
      client_id: 'shop',
      token_endpoint_auth_method: 'private_key_jwt',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      scope: 'openid profile',
      jwks_uri: 'https://shop.example/jwks',
      require_pushed_authorization_requests: false,
      dpop_bound_access_tokens: false,
      id_token_signed_response_alg: 'ES256',
      attesta_scope: 'openid profile national_id',
      attesta_acr_values: ['urn:attesta:acr:otp'],
    });
    const machine = toProviderMetadata({
      ...RECORD,
      redirect_uris: [],
      scope: 'issuer:admin',
      grant_types: ['client_credentials'],
    });
    expect(machine).toMatchObject({
      response_types: [],
      redirect_uris: [],
      grant_types: ['client_credentials'],
    });
    expect(machine.scope).toBeUndefined();
  });

  it('name the client per locale, falling back to the language, then to client_name', () => {
    expect(clientDisplayName(RECORD, 'fr')).toBe('Boutique');
    expect(clientDisplayName(RECORD, 'fr-CA')).toBe('Boutique');
    expect(clientDisplayName(RECORD, 'ar-EG')).toBe('متجر');
    expect(clientDisplayName(RECORD, 'en')).toBe('Shop');
    expect(clientDisplayName({ client_id: 'bare' })).toBe('bare');
  });
});

describe.each(DIALECTS)('client store and key rotation on $dialect', ({ dialect, create }) => {
  let testDb: TestDatabase | undefined;
  let close: () => Promise<void> = async () => {};
  let db: Kysely<AuthzAdminTables>;
  let store: ClientStore;
  let database: ReturnType<typeof openDatabase<AuthzAdminTables>>;

  beforeEach(async (context) => {
    if (dialect === 'postgres' && !(await isPostgresAvailable())) return context.skip();
    testDb = await create();
    database = openDatabase<AuthzAdminTables>(testDb.url);
    db = database.db;
    close = database.close;
    await migrateToLatest(db as Kysely<unknown>, 'authz', authzMigrations);
    store = new ClientStore(db);
  });

  afterEach(async () => {
    await close();
    await testDb?.drop();
  });

  it('adds, updates (null removes a field), disables and lists clients, auditing each change', async () => {
    await store.add(RECORD, 'cli:ops');
    await expect(store.add(RECORD, 'cli:ops')).rejects.toMatchObject({ code: 'conflict' });
    const updated = await store.update(
      'shop',
      { logo_uri: 'https://shop.example/logo.png', client_names: null },
      'client:admin',
    );
    expect(updated.logo_uri).toBe('https://shop.example/logo.png');
    expect(updated.client_names).toBeUndefined();
    await expect(store.update('shop', { client_id: 'other' }, 'x')).rejects.toBeInstanceOf(ClientError);
    await expect(store.update('nobody', {}, 'x')).rejects.toMatchObject({ code: 'not_found' });
    await expect(
      store.update(
        'shop',
        { jwks_uri: null, jwks: { keys: [{ kty: 'EC', crv: 'P-256', x: 'x', y: 'y', d: 'secret' }] } },
        'x',
      ),
    ).rejects.toThrow('jwks must hold public keys only');
    // A refused change leaves the record as it was.
    await expect(store.update('shop', { jwks: { keys: [] } }, 'x')).rejects.toMatchObject({
      code: 'invalid_client_metadata',
    });
    expect((await store.get('shop'))?.jwks).toBeUndefined();

    const adapter = new ClientAdapter(store);
    expect(await adapter.find('shop')).toMatchObject({ client_id: 'shop' });
    await store.setDisabled('shop', true, 'cli:ops');
    expect(await adapter.find('shop')).toBeUndefined();
    expect((await store.list()).map((c) => [c.client_id, c.disabled])).toEqual([['shop', true]]);
    expect(await store.redirectOrigins()).toEqual([]);
    await store.setDisabled('shop', false, 'cli:ops');
    expect(await store.redirectOrigins()).toEqual(['https://shop.example']);

    const audit = await listAudit(db);
    expect(audit.map((e) => `${e.actor} ${e.action} ${e.target}`)).toEqual([
      'cli:ops client.enable shop',
      'cli:ops client.disable shop',
      'client:admin client.update shop',
      'cli:ops client.add shop',
    ]);
    expect(audit[2]?.detail).toEqual({ logo_uri: 'https://shop.example/logo.png', client_names: null });
  });

  it('reads clients for oidc-provider through the prepared statement as through Kysely', async () => {
    const kysely = new ClientAdapter(store);
    const prepared = new ClientAdapter(store, adapterStatements(database));
    const both = async (id: string) => {
      const expected = await kysely.find(id);
      expect(await prepared.find(id)).toEqual(expected);
      return expected;
    };
    expect(await both('shop')).toBeUndefined();
    await store.add(RECORD, 'cli:ops');
    expect(await both('shop')).toEqual(toProviderMetadata(RECORD));
    await store.update('shop', { redirect_uris: ['https://shop.example/other'] }, 'cli:ops');
    expect((await both('shop'))?.redirect_uris).toEqual(['https://shop.example/other']);
    await store.setDisabled('shop', true, 'cli:ops');
    expect(await both('shop')).toBeUndefined();
    await store.setDisabled('shop', false, 'cli:ops');
    expect(await both('shop')).toMatchObject({ client_id: 'shop' });
    expect(await both('nobody')).toBeUndefined();
    // While a transaction is open on SQLite's one connection (a client change under way), the
    // prepared read is not taken (it would see the uncommitted row): the Kysely read waits for it.
    if (dialect === 'sqlite') {
      let read: Promise<unknown> | undefined;
      await db
        .transaction()
        .execute(async (tx) => {
          await tx
            .updateTable('authz_clients')
            .set({ disabled: 1 })
            .where('client_id', '=', 'shop')
            .execute();
          read = prepared.find('shop');
          throw new Error('rolled back');
        })
        .catch(() => undefined);
      expect(await read).toMatchObject({ client_id: 'shop' });
    }
  });

  it('seeds configured clients once: later changes in the database win', async () => {
    expect(await store.seed([RECORD])).toEqual(['shop']);
    await store.update('shop', { client_name: 'Changed' }, 'client:admin');
    expect(await store.seed([RECORD, { ...RECORD, client_id: 'second' }])).toEqual(['second']);
    expect((await store.get('shop'))?.client_name).toBe('Changed');
  });

  it('rotates the signing key: the new key signs, the old one stays published for the retention window', async () => {
    const keyStore = authzKeyStore(db, new MasterKey(Buffer.alloc(32, 7)), 60);
    const first = await loadSigningKeys(keyStore);
    const { kid } = await rotateSigningKey(db, keyStore, 'cli:ops');
    const set = await loadSigningKeys(keyStore);
    expect(set.activeKid).toBe(kid);
    expect(set.providerKeys.map((k) => k.kid)).toEqual([kid, first.activeKid]);
    const later = await loadSigningKeys(keyStore, Date.now() + 61_000);
    expect(later.providerKeys.map((k) => k.kid)).toEqual([kid]);
    expect((await listAudit(db))[0]).toMatchObject({ actor: 'cli:ops', action: 'key.rotate', target: kid });
  });

  it('a rotation with lead time publishes the next key at once and signs with it only from its activation', async () => {
    const keyStore = authzKeyStore(db, new MasterKey(Buffer.alloc(32, 7)), 60);
    const first = await loadSigningKeys(keyStore);
    const { kid, activatesAt } = await rotateSigningKey(db, keyStore, 'cli:ops', { leadSeconds: 3600 });
    const during = await loadSigningKeys(keyStore);
    expect(during.activeKid).toBe(first.activeKid);
    expect(during.providerKeys.map((k) => k.kid)).toEqual([first.activeKid, kid]);
    expect(during.fingerprint).not.toBe(first.fingerprint);
    const after = await loadSigningKeys(keyStore, activatesAt + 1);
    expect(after.activeKid).toBe(kid);
    expect(after.providerKeys.map((k) => k.kid)).toEqual([kid, first.activeKid]);
  });
});
