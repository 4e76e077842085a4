import { digest } from '@sd-jwt/crypto-nodejs';
import { getListFromStatusListJWT } from '@sd-jwt/jwt-status-list';
import { SDJwtVcInstance } from '@sd-jwt/sd-jwt-vc';
import { compactVerify, createLocalJWKSet, decodeJwt, decodeProtectedHeader, type JWK } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { issuerCommand } from '../../src/cli/issuer-admin.js';
import { ApiKeyStore } from '../../src/issuer/admin/index.js';
import { issueOne, issuerBehindForeignAsForFile } from './helpers/issue-credential.js';

const server = issuerBehindForeignAsForFile();
let apiKey: string;

beforeAll(async () => {
  apiKey = (await new ApiKeyStore(server.database.db).create('status test')).key;
});

/** One dc+sd-jwt national ID for a fresh holder key, as a wallet gets it. */
async function issueNationalId(sub = '5102030400'): Promise<string> {
  return (await issueOne(server, 'national_id_sd_jwt', { claims: { sub } })) as string;
}

function statusOf(credential: string): { idx: number; uri: string } {
  const payload = decodeJwt(credential.split('~')[0] as string) as {
    status: { status_list: { idx: number; uri: string } };
  };
  return payload.status.status_list;
}

/** An independent verifier: @sd-jwt/sd-jwt-vc fetching the list itself, jose checking signatures. */
async function independentlyVerify(credential: string) {
  const { jwks } = (await (await fetch(`${server.issuer.url}/.well-known/jwt-vc-issuer`)).json()) as {
    jwks: { keys: JWK[] };
  };
  const keys = createLocalJWKSet(jwks);
  const verifier = new SDJwtVcInstance({
    hasher: digest,
    verifier: async (data: string, signature: string) => {
      await compactVerify(`${data}.${signature}`, keys);
      return true;
    },
  });
  return verifier.verify(credential);
}

async function listStatus(uri: string, idx: number): Promise<number> {
  return getListFromStatusListJWT(await (await fetch(uri)).text()).getStatus(idx);
}

async function adminStatus(path: string, status: string) {
  const response = await fetch(`${server.issuer.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ status }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('status lists', () => {
  it('serves a signed, compressed Token Status List of 131,072 entries with caching headers', async () => {
    const credential = await issueNationalId();
    const { uri, idx } = statusOf(credential);
    expect(uri).toMatch(new RegExp(`^${server.issuer.url}/status/token/`));
    const response = await fetch(uri);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/statuslist+jwt');
    expect(response.headers.get('cache-control')).toBe('public, max-age=5');
    const etag = response.headers.get('etag') as string;
    const jwt = await response.text();
    expect(decodeProtectedHeader(jwt).typ).toBe('statuslist+jwt');
    const payload = decodeJwt(jwt) as {
      sub: string;
      ttl: number;
      status_list: { bits: number; lst: string };
    };
    expect(payload.sub).toBe(uri);
    expect(payload.status_list.bits).toBe(2);
    const list = getListFromStatusListJWT(jwt);
    expect(list.statusList.length).toBeGreaterThanOrEqual(131072);
    expect(list.getStatus(idx)).toBe(0);
    // Compressed: far smaller than the 32 KiB of raw 2-bit entries.
    expect(payload.status_list.lst.length).toBeLessThan(2000);
    const again = await fetch(uri, { headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    await expect(independentlyVerify(credential)).resolves.toBeDefined();
  });

  it('a revocation through the admin API is in the served list at once and the independent verifier refuses', async () => {
    const credential = await issueNationalId();
    const { uri, idx } = statusOf(credential);
    await expect(independentlyVerify(credential)).resolves.toBeDefined();
    const found = await fetch(`${server.issuer.url}/admin/credentials/search`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ configurationId: 'national_id_sd_jwt', attributes: { family_name: 'Okafor' } }),
    });
    const entries = (
      (await found.json()) as {
        credentials: { id: string; status_refs: { listId: string; idx: number }[] }[];
      }
    ).credentials;
    const entry = entries.find((e) => e.status_refs[0]?.idx === idx);
    expect(entry).toBeDefined();
    const revoked = await adminStatus(`/admin/credentials/${entry?.id}/status`, 'revoked');
    expect(revoked).toEqual({ status: 200, body: { id: entry?.id, status: 'revoked', previous: 'valid' } });
    expect(await listStatus(uri, idx)).toBe(1);
    await expect(independentlyVerify(credential)).rejects.toThrow(/Status is not valid/i);
    // Revocation is final.
    const reinstated = await adminStatus(`/admin/credentials/${entry?.id}/status`, 'valid');
    expect(reinstated).toEqual({
      status: 409,
      body: { error: 'conflict', error_description: 'a revoked credential cannot be reinstated' },
    });
  });

  it('suspension by list and index (admin API and CLI) flips back and forth', async () => {
    const credential = await issueNationalId('5102031513');
    const { uri, idx } = statusOf(credential);
    const listId = uri.split('/').at(-1) as string;
    const suspended = await adminStatus(`/admin/status-lists/${listId}/entries/${idx}/status`, 'suspended');
    expect(suspended.status).toBe(200);
    expect(await listStatus(uri, idx)).toBe(2);
    await expect(independentlyVerify(credential)).rejects.toThrow(/Status is not valid/i);

    const lines: string[] = [];
    const out = (line: string) => lines.push(line);
    expect(
      await issuerCommand(['status-list', listId, String(idx), 'valid', '--config', server.configFile], out),
    ).toBe(0);
    expect(await listStatus(uri, idx)).toBe(0);
    await expect(independentlyVerify(credential)).resolves.toBeDefined();
    expect(
      await issuerCommand(
        ['status-list', listId, String(idx), 'revoked', '--config', server.configFile],
        out,
      ),
    ).toBe(0);
    expect(await listStatus(uri, idx)).toBe(1);
    expect(
      await issuerCommand(['status-list', 'nosuchlist', '1', 'revoked', '--config', server.configFile], out),
    ).toBe(1);
    expect(lines.at(-1)).toBe('error: no credential holds this list entry');
    expect(await issuerCommand(['audit', '--config', server.configFile], out)).toBe(0);
    expect(lines.some((l) => / cli:\S+ credential\.revoked /.test(l))).toBe(true);
  });

  it('unknown lists and entries answer 404', async () => {
    expect((await fetch(`${server.issuer.url}/status/token/nosuchlist`)).status).toBe(404);
    expect((await adminStatus('/admin/status-lists/nosuchlist/entries/5/status', 'revoked')).body).toEqual({
      error: 'not_found',
      error_description: 'no credential holds this list entry',
    });
  });
});
