import { describe, expect, it } from 'vitest';
import type { CredentialConfiguration } from '../../src/issuer/configurations/index.js';
import { cappedValidity } from '../../src/issuer/issuance/pipeline.js';
import { ProtocolError } from '../../src/platform/errors.js';

const configuration = (validUntilClaim?: string) =>
  ({ id: 'policy', format: 'dc+sd-jwt', validUntilClaim }) as unknown as CredentialConfiguration;
const from = new Date('2026-11-28T16:00:00Z');
const oneYear = new Date('2027-11-28T17:00:00Z');

describe('validity capped by the record (validUntilClaim)', () => {
  it('ends the credential the day after the record ends, on the hour (UTC midnight)', () => {
    const end = cappedValidity(configuration('valid_until'), { valid_until: '2027-03-31' }, oneYear, from);
    expect(end.toISOString()).toBe('2027-04-01T00:00:00.000Z');
  });

  it('keeps the configured validity when the record lasts longer, or when no claim is named', () => {
    expect(cappedValidity(configuration('valid_until'), { valid_until: '2030-12-31' }, oneYear, from)).toBe(
      oneYear,
    );
    expect(cappedValidity(configuration(), { valid_until: '2026-12-01' }, oneYear, from)).toBe(oneYear);
  });

  it('reads a claim inside an mdoc namespace (dots in the namespace name)', () => {
    const rendered = { 'org.iso.18013.5.1': { expiry_date: '2027-01-14' } };
    const end = cappedValidity(configuration('org.iso.18013.5.1.expiry_date'), rendered, oneYear, from);
    expect(end.toISOString()).toBe('2027-01-15T00:00:00.000Z');
  });

  it('refuses a record that has ended, or whose end is not a date', () => {
    expect(() =>
      cappedValidity(configuration('valid_until'), { valid_until: '2026-11-01' }, oneYear, from),
    ).toThrow('the record this credential attests has expired');
    const notADate = () =>
      cappedValidity(configuration('valid_until'), { valid_until: 'soon' }, oneYear, from);
    expect(notADate).toThrow(ProtocolError);
    expect(notADate).toThrow('configuration policy: valid_until is not a date');
  });
});
