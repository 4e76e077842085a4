import { setGlobalConfig } from '@openid4vc/openid4vci';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyStore } from '../../src/issuer/admin/api-keys.js';
import type { AdminTables } from '../../src/issuer/admin/tables.js';
import { openDatabase } from '../../src/platform/db/index.js';
import { redeemOffer } from '../e2e/wallet-client.js';
import { startTestSystem, type TestSystem } from '../helpers/system.js';

/**
 * The verify page with every format our issuer makes: credentials obtained by an independent wallet
 * library (@openid4vc/openid4vci) through offers, then uploaded as a person would.
 */
let system: TestSystem;
let apiKey: string;

beforeAll(async () => {
  system = await startTestSystem();
  const db = openDatabase<AdminTables>(system.config.issuer.database);
  try {
    apiKey = (await new ApiKeyStore(db.db).create('test')).key;
  } finally {
    await db.close();
  }
  setGlobalConfig({ allowInsecureUrls: true });
}, 60_000);
afterAll(async () => {
  setGlobalConfig({ allowInsecureUrls: false });
  await system?.stop();
});

async function obtain(configurationId: string): Promise<string> {
  const response = await fetch(`${system.urls.issuer}/admin/offers`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ credential_configuration_ids: [configurationId], subject: '5102030400' }),
  });
  expect(response.status).toBe(201);
  const offer = (await response.json()) as { offer_uri_by_reference: string; tx_code?: string };
  const { credentials } = await redeemOffer(offer.offer_uri_by_reference, offer.tx_code);
  const [credential] = credentials;
  return typeof credential === 'string' ? credential : JSON.stringify(credential);
}

async function verify(text: string) {
  const response = await fetch(`${system.urls.portal}/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ text }).toString(),
  });
  const page = await response.text();
  return {
    status: response.status,
    valid: /data-testid="verdict" data-valid="true"/.test(page),
    checks: Object.fromEntries(
      [...page.matchAll(/data-check="(\w+)" data-outcome="(\w+)"/g)].map((m) => [m[1], m[2]]),
    ),
    reasons: [...page.matchAll(/data-reason="([^"]+)"/g)].map((m) => m[1]),
    page,
  };
}

/** Flips one character in the middle of a string (a signature or signed bytes). */
function tamper(text: string, at = Math.floor(text.length / 2)): string {
  const c = text[at] === 'A' ? 'B' : 'A';
  return text.slice(0, at) + c + text.slice(at + 1);
}

describe.each([
  { id: 'national_id_jwt_vc', format: 'jwt_vc_json', claim: 'Amara' },
  { id: 'national_id_ldp_vc', format: 'ldp_vc', claim: 'Amara' },
  { id: 'driving_licence_mdoc', format: 'mso_mdoc', claim: 'Amara' },
  { id: 'national_id_sd_jwt', format: 'dc+sd-jwt', claim: 'Amara' },
])('verify page with $format', ({ id, claim }) => {
  let credential = '';
  beforeAll(async () => {
    credential = await obtain(id);
  }, 60_000);

  it('says valid, with every check and the claims', async () => {
    const result = await verify(credential);
    expect(result.status).toBe(200);
    expect(result.checks).toMatchObject({ signature: 'passed', issuer: 'passed', validity: 'passed' });
    expect(result.valid).toBe(true);
    expect(result.page).toContain(claim);
  });

  it('says invalid for a tampered copy', async () => {
    const forged = credential.startsWith('{')
      ? credential.replace('Amara', 'Amira')
      : credential.includes('.')
        ? tamper(credential, credential.lastIndexOf('.') + 10)
        : tamper(credential);
    const result = await verify(forged);
    expect(result.valid).toBe(false);
    expect(result.checks.signature).toBe('failed');
  });
});

async function setStatus(uri: string, idx: string | number, status: 'revoked' | 'suspended') {
  const listId = uri.split('/').at(-1) ?? '';
  const response = await fetch(`${system.urls.issuer}/admin/status-lists/${listId}/entries/${idx}/status`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${apiKey}` },
    body: JSON.stringify({ status }),
  });
  expect(response.status).toBe(200);
}

describe('verify page with status changes at the issuer', () => {
  it('names a suspended SD-JWT VC (Token Status List)', async () => {
    const credential = await obtain('national_id_sd_jwt');
    expect((await verify(credential)).checks.status).toBe('passed');
    const payload = JSON.parse(Buffer.from(credential.split('.')[1] ?? '', 'base64url').toString()) as {
      status: { status_list: { idx: number; uri: string } };
    };
    await setStatus(payload.status.status_list.uri, payload.status.status_list.idx, 'suspended');
    const result = await verify(credential);
    expect(result.valid).toBe(false);
    expect(result.checks).toMatchObject({ signature: 'passed', status: 'failed' });
    expect(result.reasons).toEqual(['suspended']);
  });

  it('names a revoked jwt_vc_json (Bitstring Status List)', async () => {
    const credential = await obtain('national_id_jwt_vc');
    expect((await verify(credential)).checks.status).toBe('passed');
    const payload = JSON.parse(Buffer.from(credential.split('.')[1] ?? '', 'base64url').toString()) as {
      credentialStatus?: unknown;
      vc?: { credentialStatus?: unknown };
    };
    const raw = payload.credentialStatus ?? payload.vc?.credentialStatus;
    const entries = (Array.isArray(raw) ? raw : [raw]) as {
      statusPurpose: string;
      statusListIndex: string;
      statusListCredential: string;
    }[];
    const revocation = entries.find((e) => e.statusPurpose === 'revocation');
    if (!revocation) throw new Error('no revocation entry');
    await setStatus(revocation.statusListCredential, revocation.statusListIndex, 'revoked');
    const result = await verify(credential);
    expect(result.valid).toBe(false);
    expect(result.checks).toMatchObject({ signature: 'passed', status: 'failed' });
    expect(result.reasons).toEqual(['revoked']);
  });
});
