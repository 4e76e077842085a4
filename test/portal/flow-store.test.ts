import { beforeEach, describe, expect, it } from 'vitest';
import { MasterKey } from '../../src/platform/keys/index.js';
import { CredentialStore, type ObtainedCredential } from '../../src/portal/store/credential-store.js';
import { FlowStore, sessionKey } from '../../src/portal/store/flow-store.js';
import { type PortalTables, portalMigrations } from '../../src/portal/store/tables.js';
import { migratedDatabaseForEachTest } from '../helpers/database-hooks.js';
import { DIALECTS } from '../helpers/databases.js';

const obtained: ObtainedCredential = {
  configurationId: 'national_id_sd_jwt',
  credential: 'eyJ.header.sig~disclosure~',
  mediaType: 'application/dc+sd-jwt',
  format: 'dc+sd-jwt',
  typeName: 'National ID',
  issuerName: 'Issuer',
  typeDisplay: [{ name: 'National ID', locale: 'en' }],
  issuerDisplay: [],
  claimsMeta: [{ path: 'given_name', display: [{ name: 'Given name', locale: 'en' }] }],
  claims: { given_name: 'Amara' },
  labels: { given_name: 'Given name' },
  selectable: ['given_name'],
  holder: 'guest',
  issuedAt: 1_700_000_000,
  expiresAt: undefined,
};

describe.each(DIALECTS)('portal flow state on $dialect', (dialect) => {
  const database = migratedDatabaseForEachTest<PortalTables>(dialect, 'portal', portalMigrations);
  let clock = 1_000_000;
  const now = () => clock;
  const lifetimes = { sessionMs: 60_000, flowMs: 10_000 };

  beforeEach(() => {
    clock = 1_000_000;
  });

  it('creates a session, reuses it while alive and stores only its hash', async () => {
    const store = new FlowStore(database.db, lifetimes, now);
    const session = await store.ensureSession(undefined);
    expect(session).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await store.ensureSession(session)).toBe(session);
    const rows = await database.db.selectFrom('portal_sessions').selectAll().execute();
    expect(rows.map((r) => r.id)).toEqual([sessionKey(session)]);
    expect(JSON.stringify(rows)).not.toContain(session);
    // Unknown or expired cookies get a new session.
    expect(await store.ensureSession('forged-value')).not.toBe('forged-value');
    clock += 61_000;
    expect(await store.findSession(session)).toBeUndefined();
    expect(await store.ensureSession(session)).not.toBe(session);
  });

  it('gives every flow its own random state, verifier and nonce, readable from another instance', async () => {
    const first = new FlowStore(database.db, lifetimes, now);
    const session = await first.ensureSession(undefined);
    const a = await first.beginFlow(session, 'national_id_sd_jwt');
    const b = await first.beginFlow(session, 'national_id_sd_jwt');
    const values = [a.state, a.codeVerifier, a.nonce, b.state, b.codeVerifier, b.nonce];
    expect(new Set(values).size).toBe(6);
    for (const value of values) expect(value).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A second portal instance on the same database finishes the flow.
    const second = new FlowStore(database.db, lifetimes, now);
    expect(await second.consumeFlow(session, b.state)).toEqual(b);
    expect(await second.consumeFlow(session, a.state)).toEqual(a);
  });

  it('hands a flow out once, only to its own session, and not after it expired', async () => {
    const store = new FlowStore(database.db, lifetimes, now);
    const mine = await store.ensureSession(undefined);
    const theirs = await store.ensureSession(undefined);
    const flow = await store.beginFlow(mine, 'x');
    expect(await store.consumeFlow(theirs, flow.state)).toBeUndefined();
    expect(await store.consumeFlow(undefined, flow.state)).toBeUndefined();
    expect(await store.consumeFlow(mine, flow.state)).toEqual(flow);
    expect(await store.consumeFlow(mine, flow.state)).toBeUndefined();

    const late = await store.beginFlow(mine, 'x');
    clock += 10_001;
    expect(await store.consumeFlow(mine, late.state)).toBeUndefined();
  });

  it('purges expired sessions, flows and credentials', async () => {
    const store = new FlowStore(database.db, lifetimes, now);
    const credentials = new CredentialStore(database.db, new MasterKey(Buffer.alloc(32, 1)), 5_000, now);
    const session = await store.ensureSession(undefined);
    await store.beginFlow(session, 'x');
    await credentials.save(session, obtained);
    clock += 120_000;
    await store.purgeExpired();
    for (const table of ['portal_sessions', 'portal_flows', 'portal_credentials'] as const) {
      expect(await database.db.selectFrom(table).selectAll().execute()).toEqual([]);
    }
  });

  it('keeps credentials sealed, for their session only, for a short time', async () => {
    const master = new MasterKey(Buffer.alloc(32, 1));
    const store = new FlowStore(database.db, lifetimes, now);
    const credentials = new CredentialStore(database.db, master, 5_000, now);
    const mine = await store.ensureSession(undefined);
    const theirs = await store.ensureSession(undefined);
    const id = await credentials.save(mine, obtained);
    expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);

    const row = await database.db.selectFrom('portal_credentials').selectAll().executeTakeFirstOrThrow();
    expect(row.sealed).not.toContain('Amara');
    expect(row.sealed).not.toContain('eyJ');

    expect(await credentials.find(mine, id)).toEqual(obtained);
    expect(await new CredentialStore(database.db, master, 5_000, now).find(mine, id)).toEqual(obtained);
    expect(await credentials.find(theirs, id)).toBeUndefined();
    expect(await credentials.find(undefined, id)).toBeUndefined();
    expect(await credentials.find(mine, 'other')).toBeUndefined();
    clock += 5_001;
    expect(await credentials.find(mine, id)).toBeUndefined();
  });
});
