import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import { decoyDestination, generateCode, maskEmail, maskPhone } from '../../src/authz/factors/otp.js';
import { chooseLocale, LOCALES, messagesFor } from '../../src/authz/i18n/index.js';
import { createNotifier, OutboxNotifier } from '../../src/authz/notify/index.js';
import { authzMigrations } from '../../src/authz/storage/migrations.js';
import type { SignInTables } from '../../src/authz/storage/sign-in-tables.js';
import { consentPage } from '../../src/authz/views/consent.js';
import { messagePage } from '../../src/authz/views/html.js';
import { kbiPage, otpRequestPage, passwordPage } from '../../src/authz/views/login.js';
import { otpCodePage } from '../../src/authz/views/otp.js';
import { loadConfig } from '../../src/platform/config/index.js';
import { migrateToLatest, openDatabase } from '../../src/platform/db/index.js';
import { createSqliteDatabase } from '../helpers/databases.js';

const config = loadConfig({ env: {} });
const fields = config.authz.login.kbi.fields;
const found = fields.find((f) => f.attribute === 'individualId');
if (!found) throw new Error('no id field');
const idField = found;

/** Every page of the sign-in, in a given language. */
function pages(locale: (typeof LOCALES)[number]) {
  const view = { uid: 'u1', locale, clientName: 'Client <b>', error: 'x' };
  return {
    kbi: kbiPage(view, fields),
    password: passwordPage(view, idField),
    otpRequest: otpRequestPage(view, idField),
    otpCode: otpCodePage({ ...view, maskedDestination: '+•••1234', minutes: 3, resendInSeconds: 0 }),
    consent: consentPage({
      uid: 'u1',
      locale,
      clientName: 'Client',
      items: [{ name: 'email', kind: 'claim', essential: true }],
      rememberDays: 30,
    }),
    message: messagePage(messagesFor(locale).expiredTitle, messagesFor(locale).expiredMessage, { locale }),
  };
}

describe('page language', () => {
  it('prefers the switcher, then ui_locales, then Accept-Language (by weight), then English', () => {
    expect(chooseLocale({ explicit: 'ar', uiLocales: 'fr', acceptLanguage: 'en' })).toBe('ar');
    expect(chooseLocale({ explicit: 'de', uiLocales: 'de-AT fr-CA', acceptLanguage: 'ar' })).toBe('fr');
    expect(chooseLocale({ acceptLanguage: 'de;q=1, fr;q=0.5, ar;q=0.8' })).toBe('ar');
    expect(chooseLocale({ acceptLanguage: 'ar;q=0, fr-BE' })).toBe('fr');
    expect(chooseLocale({ acceptLanguage: 'x;;;q=abc,,' })).toBe('en');
    expect(chooseLocale({})).toBe('en');
  });

  it('has every message in every language (no English left in the French and Arabic pages)', () => {
    const keys = Object.keys(messagesFor('en')).sort();
    for (const locale of LOCALES) expect(Object.keys(messagesFor(locale)).sort()).toEqual(keys);
    expect(pages('fr').kbi).not.toContain('Continue<');
    expect(pages('ar').kbi).not.toContain('Continue<');
  });
});

describe.each(LOCALES)('pages in %s', (locale) => {
  const all = pages(locale);

  it.each(Object.keys(all))('%s: lang/dir, one stylesheet, no script or inline style, a switcher', (name) => {
    const html = all[name as keyof typeof all];
    expect(html).toContain(`<html lang="${locale}" dir="${locale === 'ar' ? 'rtl' : 'ltr'}">`);
    expect(html.match(/<link rel="stylesheet"/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script|style=|<style|javascript:/i);
    expect(html).toContain('<p class="brand">');
    if (name !== 'message') {
      for (const other of LOCALES)
        expect(html).toContain(`lang=${other}" lang="${other}" hreflang="${other}"`);
      expect(html).toContain(`hreflang="${locale}" aria-current="true"`);
    }
  });

  it.each(Object.keys(all))('%s: every visible input has a label', (name) => {
    const html = all[name as keyof typeof all];
    for (const input of html.match(/<input [^>]+>/g) ?? []) {
      if (input.includes('type="hidden"')) continue;
      const id = /id="([^"]+)"/.exec(input)?.[1];
      expect(id, input).toBeTruthy();
      expect(html).toContain(`<label for="${id}">`);
    }
  });

  it('escapes the client name', () => {
    expect(all.kbi).toContain('Client &lt;b&gt;');
    expect(all.kbi).not.toContain('Client <b>');
  });
});

describe('one-time code helpers', () => {
  it('makes 6-digit codes', () => {
    for (let i = 0; i < 50; i++) expect(generateCode()).toMatch(/^[0-9]{6}$/);
  });

  it('masks e-mail addresses and phone numbers', () => {
    expect(maskEmail('amara.okafor@example.org')).toBe('a••••••••••r@e•••••e.org');
    expect(maskEmail('al@x.io')).toBe('a•@x•.io');
    expect(maskPhone('+99798935572')).toBe('+•••••••5572');
    expect(maskPhone('12')).toBe('•••12');
  });

  it('derives a stable decoy per ID hash', () => {
    const hash = 'ab'.repeat(32);
    expect(decoyDestination(hash, 'email')).toBe(decoyDestination(hash, 'email'));
    expect(decoyDestination(hash, 'phone')).toMatch(/^\+•{7,9}[0-9]{4}$/);
    expect(decoyDestination('cd'.repeat(32), 'email')).not.toBe(decoyDestination(hash, 'email'));
  });
});

describe('notifier selection', () => {
  it('refuses the development outbox outside development mode, and SMTP without its settings', () => {
    const production = { ...config, mode: 'production' as const };
    expect(() => createNotifier(production, undefined as never)).toThrow(/development mode only/);
    const smtp = {
      ...config,
      authz: {
        ...config.authz,
        login: { ...config.authz.login, notify: { transport: 'smtp' as const, from: 'a@b.c' } },
      },
    };
    expect(() => createNotifier(smtp, undefined as never)).toThrow(/notify.smtp: required/);
  });
});

describe('development outbox', () => {
  it('stores the whole message for /dev/outbox and prints the destination masked', async () => {
    const testDb = createSqliteDatabase();
    const database = openDatabase<SignInTables>(testDb.url);
    try {
      await migrateToLatest(database.db as Kysely<unknown>, 'authz', authzMigrations);
      const lines: string[] = [];
      const outbox = new OutboxNotifier(database.db, (line) => lines.push(line));
      await outbox.send({
        channel: 'email',
        to: 'amara.okafor@example.org',
        subject: 'S',
        text: 'code 123456',
      });
      expect(lines).toEqual(['[authz dev outbox] email to a••••••••••r@e•••••e.org: code 123456']);
      const [message] = await outbox.list();
      expect(message).toMatchObject({
        recipient: 'amara.okafor@example.org',
        subject: 'S',
        body: 'code 123456',
      });
    } finally {
      await database.close();
      await testDb.drop();
    }
  });
});
