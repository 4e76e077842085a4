import { describe, expect, it } from 'vitest';
import { messages } from '../../src/portal/i18n/index.js';
import { displayValue } from '../../src/portal/render/values.js';
import { reasonKind, verdictOf } from '../../src/portal/verify/report.js';

const show = (name: string, value: string | number | boolean | null, locale: 'en' | 'fr' | 'ar') =>
  displayValue(name, value, locale, messages(locale));

describe('claim values in the page language', () => {
  it('writes dates out, keeping the ISO date for <time>', () => {
    expect(show('birthdate', '1970-03-13', 'en')).toEqual({
      text: '13 March 1970',
      ltr: true,
      datetime: '1970-03-13',
    });
    expect(show('birthdate', '1970-03-13', 'fr').text).toBe('13 mars 1970');
    expect(show('birthdate', '1970-03-13', 'ar')).toMatchObject({ text: '13 مارس 1970', ltr: false });
    expect(show('birthdate', '1970-13-45', 'en').text).toBe('1970-13-45'); // not a date: as issued
  });

  it('names countries of country claims, and leaves user-assigned codes and other claims alone', () => {
    expect(show('nationalities', 'NG', 'en').text).toBe('Nigeria');
    expect(show('country', 'LB', 'fr').text).toBe('Liban');
    expect(show('addressCountry', 'MA', 'ar').text).toBe('المغرب');
    expect(show('issuing_country', 'XA', 'ar').text).toBe('XA'); // ISO 3166 user-assigned: no name
    expect(show('plan', 'NG', 'en').text).toBe('NG');
  });

  it('puts gender codes (OIDC values, ISO/IEC 5218 numbers) in words', () => {
    expect(show('gender', 'female', 'fr').text).toBe('Femme');
    expect(show('sex', 1, 'ar').text).toBe('ذكر');
    expect(show('gender', 'diverse', 'en').text).toBe('diverse');
  });

  it('marks values without Arabic letters left to right, for isolation in Arabic text', () => {
    expect(show('phone_number', '+99192285142', 'ar')).toEqual({ text: '+99192285142', ltr: true });
    expect(show('given_name', 'ليلى', 'ar').ltr).toBe(false);
    expect(show('age_over_18', true, 'ar')).toEqual({ text: 'نعم', ltr: false });
  });
});

describe('the verify verdict', () => {
  const checks = { signature: 'passed', issuer: 'passed', validity: 'passed', status: 'passed' } as const;
  const base = { format: 'dc+sd-jwt', issuer: 'https://issuer.example', claims: {} };

  it('is amber for a genuine but suspended credential, red for a revoked one', () => {
    const suspended = {
      ...base,
      valid: false,
      checks: { ...checks, status: 'failed' as const },
      reasons: ['suspended'],
    };
    expect(verdictOf(suspended)).toEqual({ kind: 'warning', reasons: ['suspended'] });
    const revoked = { ...suspended, reasons: ['revoked'] };
    expect(verdictOf(revoked)).toEqual({ kind: 'invalid', reasons: ['revoked'] });
  });

  it('is amber when it ends within 30 days, green otherwise', () => {
    const now = Date.parse('2026-12-07T00:00:00Z');
    const ending = { ...base, valid: true, checks, reasons: [], claims: { valid_until: '2026-12-20' } };
    expect(verdictOf(ending, now)).toEqual({ kind: 'warning', reasons: [], expiresOn: '2026-12-20' });
    expect(verdictOf({ ...ending, claims: { valid_until: '2030-12-31' } }, now)).toEqual({ kind: 'valid' });
  });

  it('words the verifiers’ reasons plainly', () => {
    expect(reasonKind('mdoc: VALIDITY')).toBe('expired');
    expect(reasonKind('unknown issuer')).toBe('unknownIssuer');
    expect(reasonKind('no issuer key matches')).toBe('signature');
    expect(reasonKind('status list unavailable')).toBe('unavailable');
    expect(reasonKind('malformed credential')).toBe('malformed');
  });
});
