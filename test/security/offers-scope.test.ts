import type { JWK } from 'jose';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySdJwtVc } from '../../src/credentials/formats/sd-jwt-vc/index.js';
import type { ProtocolTables } from '../../src/issuer/protocol-database.js';
import { openDatabase } from '../../src/platform/db/index.js';
import {
  type HttpResult,
  http,
  postCredential,
  preAuthorizedCode,
  proofsFor,
  redeem,
} from '../issuer/helpers/protocol-client.js';
import { newHolder } from '../issuer/helpers/wallet.js';
import { type AdminSystem, startAdminSystem } from './admin-system.js';

/**
 * Issue 15: a client holding only `issuer:offers` (what the portal holds) tried to mint a national
 * ID for "Mallory Forged" by putting claims in an offer. It may only name a subject; the claims come
 * from the data provider. Caller-supplied claims need the separate scope `issuer:offers:claims`.
 */
let sys: AdminSystem;
const AMARA = '5102030400';
const FORGED = { given_name: 'Mallory', family_name: 'Forged', nationalities: ['XA'] };

beforeAll(async () => {
  sys = await startAdminSystem();
});
afterAll(async () => {
  await sys?.stop();
});

const offer = (credential: string, body: Record<string, unknown>) =>
  http(`${sys.issuer}/admin/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${credential}` },
    body: JSON.stringify({ credential_configuration_ids: ['national_id_sd_jwt'], ...body }),
  });

/** What a wallet gets for the offer: the verified SD-JWT VC's claims. */
async function redeemed(created: HttpResult): Promise<Record<string, unknown>> {
  const token = await redeem(sys.issuer, preAuthorizedCode(created));
  expect(token.status).toBe(200);
  const result = await postCredential(
    sys.issuer,
    {
      credential_configuration_id: 'national_id_sd_jwt',
      proofs: { jwt: await proofsFor(sys.issuer, [await newHolder()]) },
    },
    token.body?.access_token as string,
  );
  expect(result.status).toBe(200);
  const credential = ((result.body?.credentials ?? []) as { credential: string }[])[0]?.credential as string;
  const metadata = await http(`${sys.issuer}/.well-known/jwt-vc-issuer`);
  const jwks = (metadata.body as { jwks: { keys: JWK[] } }).jwks;
  return (await verifySdJwtVc(credential, { issuerJwks: jwks })).claims;
}

async function auditEntries(): Promise<{ actor: string; action: string; outcome: string; detail: string }[]> {
  const response = await http(`${sys.issuer}/admin/audit?limit=50`, {
    headers: { authorization: `Bearer ${sys.apiKey}` },
  });
  return (response.body as { entries: never[] }).entries;
}

async function storedOffers(): Promise<number> {
  const database = openDatabase<ProtocolTables>(sys.config.issuer.database);
  try {
    const db = database.db as Kysely<ProtocolTables>;
    const row = await db
      .selectFrom('issuer_offers')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    return Number(row?.n ?? 0);
  } finally {
    await database.close();
  }
}

describe('issuer:offers cannot choose what a credential says', () => {
  it('refuses caller-supplied claims with 403 insufficient_scope, stores no offer, audits the refusal', async () => {
    const token = await sys.token('issuer-offers');
    const before = await storedOffers();
    for (const body of [{ claims: FORGED }, { subject: AMARA, claims: FORGED }]) {
      const attempt = await offer(token, body);
      expect(attempt.status).toBe(403);
      expect(attempt.body).toEqual({
        error: 'insufficient_scope',
        error_description: 'offers with caller-supplied claims need scope issuer:offers:claims',
      });
      expect(attempt.headers.get('www-authenticate')).toContain('scope="issuer:offers:claims"');
      expect(attempt.text).not.toContain('Mallory');
    }
    expect(await storedOffers()).toBe(before);
    const refused = (await auditEntries()).filter((e) => e.action === 'offer.create.claims');
    expect(refused).toHaveLength(2);
    for (const entry of refused) {
      expect(entry).toMatchObject({ actor: 'oauth:issuer-offers', outcome: 'refused' });
      expect(JSON.stringify(entry)).not.toContain('Mallory');
    }
  });

  it('an offer for a subject carries the registry’s data, whatever the caller would like', async () => {
    const created = await offer(await sys.token('issuer-offers'), { subject: AMARA });
    expect(created.status).toBe(201);
    const claims = await redeemed(created);
    expect(claims.given_name).toBe('Amara');
    expect(claims.family_name).not.toBe('Forged');
    const done = (await auditEntries()).find((e) => e.action === 'offer.create');
    expect(done).toMatchObject({ actor: 'oauth:issuer-offers', outcome: 'done' });
    // The audit names the offer, never the person.
    expect(JSON.stringify(done)).not.toContain(AMARA);
  });

  it('issuer:admin does not imply caller-supplied claims; a token with another scope cannot offer at all', async () => {
    const admin = await offer(await sys.token('issuer-admin'), { claims: FORGED });
    expect(admin.status).toBe(403);
    expect(admin.body?.error).toBe('insufficient_scope');
    const other = await offer(await sys.token('credential-scope'), { subject: AMARA });
    expect(other.status).toBe(403);
  });

  it('issuer:offers:claims (granted to admin clients only) may fix claims, and is audited with the caller', async () => {
    const created = await offer(await sys.token('issuer-offer-claims'), { claims: FORGED });
    expect(created.status).toBe(201);
    expect((await redeemed(created)).given_name).toBe('Mallory');
    const entry = (await auditEntries()).find(
      (e) => e.action === 'offer.create.claims' && e.outcome === 'done',
    );
    expect(entry).toMatchObject({ actor: 'oauth:issuer-offer-claims' });
    expect(entry?.detail).toMatch(/^offer [A-Za-z0-9_-]+$/);
  });

  it('the portal client of the default configuration is not registered for issuer:offers:claims', () => {
    const portal = sys.config.authz.clients.find((c) => c.client_id === sys.config.portal.clientId);
    expect(portal?.scope.split(' ')).toContain('issuer:offers');
    expect(portal?.scope.split(' ')).not.toContain('issuer:offers:claims');
  });
});
