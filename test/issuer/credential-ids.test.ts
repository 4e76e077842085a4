import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { timeOrderedUuid } from '../../src/issuer/ledger/credential-id.js';
import { issueCredential, issuerBehindForeignAsForFile } from './helpers/issue-credential.js';

// RFC 9562: the version is the high nibble of octet 6 (§4.2), the variant the top bits of octet 8
// (`10`, §4.1); a UUIDv7's first 48 bits are the Unix time in milliseconds (§5.7).
const UUID_V7 = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const UUID_V4 = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const millisOfUuidV7 = (id: string) =>
  Number.parseInt(id.slice('urn:uuid:'.length).replace('-', '').slice(0, 12), 16);

const server = issuerBehindForeignAsForFile();

/** The ledger ids written since `known`, oldest first by the time they were issued. */
async function newLedgerIds(known: Set<string>): Promise<string[]> {
  const rows = await server.database.db.selectFrom('issuer_ledger').select(['id', 'issued_at']).execute();
  return rows
    .filter((row) => !known.has(row.id))
    .sort((a, b) => a.issued_at - b.issued_at)
    .map((row) => row.id);
}

describe('credential and notification ids', () => {
  it('gives a credential that does not carry its id a time-ordered UUIDv7, in issuance order', async () => {
    const known = new Set(await newLedgerIds(new Set()));
    const before = Date.now();
    for (let i = 0; i < 3; i++) await issueCredential(server, 'national_id_sd_jwt');
    const after = Date.now();
    const ids = await newLedgerIds(known);
    expect(ids).toHaveLength(3);
    for (const id of ids) {
      expect(id).toMatch(UUID_V7);
      expect(millisOfUuidV7(id)).toBeGreaterThanOrEqual(before);
      expect(millisOfUuidV7(id)).toBeLessThanOrEqual(after);
    }
    // Sorted as strings, they are in the order they were issued: what keeps the key index appended to.
    expect([...ids].sort()).toEqual(ids);
  });

  it('makes UUIDv7s that sort in the order they were made, also many within one millisecond', () => {
    const before = Date.now();
    const ids = Array.from({ length: 5000 }, () => `urn:uuid:${timeOrderedUuid()}`);
    const sameMillisecond = Array.from({ length: 1000 }, () => `urn:uuid:${timeOrderedUuid(before)}`);
    const after = Date.now();
    for (const id of [...ids, ...sameMillisecond]) expect(id).toMatch(UUID_V7);
    for (const id of ids) {
      expect(millisOfUuidV7(id)).toBeGreaterThanOrEqual(before);
      expect(millisOfUuidV7(id)).toBeLessThanOrEqual(after);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
    // A clock behind the last id (or one millisecond's ids) still counts up: RFC 9562 §6.2, method 1.
    expect(new Set(sameMillisecond).size).toBe(sameMillisecond.length);
    expect([...sameMillisecond].sort()).toEqual(sameMillisecond);
  });

  it('gives a W3C credential, which publishes its id, a random UUIDv4 that tells no time', async () => {
    const known = new Set(await newLedgerIds(new Set()));
    const { credentials } = await issueCredential(server, 'national_id_jwt_vc');
    const payload = decodeJwt(credentials[0]?.credential as string) as { jti?: string; vc?: { id?: string } };
    const published = payload.jti ?? payload.vc?.id;
    expect(published).toMatch(UUID_V4);
    expect(await newLedgerIds(known)).toEqual([published]);
  });

  it('starts a notification id with the time it was issued, then 96 random bits', async () => {
    const before = Date.now();
    const first = await issueCredential(server, 'national_id_sd_jwt');
    const second = await issueCredential(server, 'national_id_sd_jwt');
    const after = Date.now();
    const bytes = [first, second].map((r) => Buffer.from(r.notification_id, 'base64url'));
    for (const id of bytes) {
      expect(id).toHaveLength(18);
      expect(id.readUIntBE(0, 6)).toBeGreaterThanOrEqual(before);
      expect(id.readUIntBE(0, 6)).toBeLessThanOrEqual(after);
    }
    expect(bytes[0]?.subarray(6).equals(bytes[1]?.subarray(6) as Buffer)).toBe(false);
  });
});
