import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../src/issuer/admin/index.js';
import type { IssuanceTables } from '../../src/issuer/issuance/database.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { createPostgresDatabase, isPostgresAvailable, type TestDatabase } from '../helpers/databases.js';
import { type ForeignAs, startForeignAs } from './helpers/foreign-as.js';
import { freePort, issuerConfig, startIssuer, type TestIssuer } from './helpers/issuer.js';
import { newHolder, proofJwt } from './helpers/wallet.js';

let db: TestDatabase | undefined;
let as: ForeignAs;
let a: TestIssuer;
let b: TestIssuer;
let urlA: string;
let urlB: string;
let apiKey: string;

beforeAll(async () => {
  if (!(await isPostgresAvailable())) return;
  db = await createPostgresDatabase();
  const prepared = await issuerConfig();
  as = await startForeignAs({ audience: prepared.config.issuer.publicUrl });
  a = await startIssuer([as.url], prepared, db.url);
  // A second instance of the same issuer (same identifier, database and master key) on another port,
  // as behind a load balancer.
  const port = await freePort();
  b = await startIssuer(
    [as.url],
    { ...prepared, config: { ...prepared.config, issuer: { ...prepared.config.issuer, port } } },
    db.url,
  );
  urlA = `http://127.0.0.1:${prepared.config.issuer.port}`;
  urlB = `http://127.0.0.1:${port}`;
  const database = openDatabase<IssuanceTables>(db.url);
  apiKey = (await new ApiKeyStore(database.db).create('instances test')).key;
  await database.close();
});

afterAll(async () => {
  await a?.stop();
  await b?.stop();
  await as?.stop();
  await db?.drop();
});

describe('status changes across instances sharing PostgreSQL', () => {
  it('a revocation made on one instance is served by the other on the next request', async (context) => {
    if (!db) return context.skip();
    const nonce = ((await (await fetch(`${urlA}/nonce`, { method: 'POST' })).json()) as { c_nonce: string })
      .c_nonce;
    const holder = await newHolder('ES256');
    const issued = await fetch(`${urlA}/credential`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await as.mint()}` },
      body: JSON.stringify({
        credential_configuration_id: 'national_id_sd_jwt',
        proofs: { jwt: [await proofJwt(holder, { audience: a.url, nonce })] },
      }),
    });
    expect(issued.status).toBe(200);
    const credential = ((await issued.json()) as { credentials: { credential: string }[] }).credentials[0]
      ?.credential as string;
    const { idx, uri } = (
      decodeJwt(credential.split('~')[0] as string) as {
        status: { status_list: { idx: number; uri: string } };
      }
    ).status.status_list;
    const path = new URL(uri).pathname;
    const statusOn = async (base: string) =>
      getListFromStatusListJWT(await (await fetch(`${base}${path}`)).text()).getStatus(idx);
    // Both instances have served (and cached) the list once.
    expect([await statusOn(urlA), await statusOn(urlB)]).toEqual([0, 0]);

    const listId = path.split('/').at(-1) as string;
    const changed = await fetch(`${urlB}/admin/status-lists/${listId}/entries/${idx}/status`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'revoked' }),
    });
    expect(changed.status).toBe(200);
    expect([await statusOn(urlA), await statusOn(urlB)]).toEqual([1, 1]);
  });
});
