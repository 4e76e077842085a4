import type { Locale, Messages } from '../i18n/index.js';

/** A claim value as a person reads it in the page language. */
export interface ShownValue {
  text: string;
  /**
   * Left-to-right text (numbers, identifiers, phone numbers, e-mail addresses, Latin names): kept in
   * its own order inside right-to-left text by bidi isolation (UAX #9 isolates; `<bdi dir="ltr">`).
   */
  ltr: boolean;
  /** A date or date-time: its machine-readable form (`<time datetime>`). */
  datetime?: string;
}

const RTL_LETTER = /[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]/u;
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
/** ISO 3166-1 alpha-2 codes left to their users (AA, QM–QZ, XA–XZ, ZZ): no name to give them. */
const USER_ASSIGNED = /^(AA|Q[M-Z]|X[A-Z]|ZZ)$/;
/** Claims whose value is a country code (SD-JWT VC / OIDC, W3C, ISO 18013-5 names). */
const COUNTRY_CLAIM = /(^|_)country$|Country$|^nationalit(y|ies)$/;
const GENDER_CLAIM = /^(gender|sex)$/;
/** OpenID Connect Core §5.1 `gender` values, and ISO/IEC 5218 codes (ISO 18013-5 `sex`). */
const GENDERS: Record<string, keyof Messages['genders']> = {
  female: 'female',
  male: 'male',
  other: 'other',
  unknown: 'unknown',
  '0': 'unknown',
  '1': 'male',
  '2': 'female',
  '9': 'notApplicable',
};

/** The portal's English is British (licence, cancelled): dates are written `13 March 1970`. */
const INTL_LOCALES: Record<Locale, string> = { en: 'en-GB', fr: 'fr', ar: 'ar' };

const formatters = new Map<string, Intl.DateTimeFormat | Intl.DisplayNames>();

function dateFormat(locale: Locale, withTime: boolean): Intl.DateTimeFormat {
  const key = `d-${locale}-${withTime}`;
  let f = formatters.get(key) as Intl.DateTimeFormat | undefined;
  if (!f) {
    f = new Intl.DateTimeFormat(INTL_LOCALES[locale], {
      dateStyle: 'long',
      ...(withTime ? { timeStyle: 'short' } : {}),
      timeZone: 'UTC',
    });
    formatters.set(key, f);
  }
  return f;
}

function regionNames(locale: Locale): Intl.DisplayNames {
  const key = `r-${locale}`;
  let f = formatters.get(key) as Intl.DisplayNames | undefined;
  if (!f) {
    f = new Intl.DisplayNames([locale], { type: 'region', fallback: 'code' });
    formatters.set(key, f);
  }
  return f;
}

/** A date (`1970-03-13`) in the page language, e.g. `13 mars 1970`; undefined if it is not one. */
export function localDate(value: string, locale: Locale): string | undefined {
  const withTime = DATE_TIME.test(value);
  if (!withTime && !DATE.test(value)) return undefined;
  const date = new Date(withTime ? value : `${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : dateFormat(locale, withTime).format(date);
}

/** A credential's `iat` / `exp` (epoch seconds) as a date in the page language. */
export function epochDate(epochSeconds: number | undefined, locale: Locale): string | undefined {
  if (epochSeconds === undefined) return undefined;
  return dateFormat(locale, false).format(new Date(epochSeconds * 1000));
}

/** A country's name in the page language (ISO 3166-1 alpha-2), or undefined. */
export function countryName(code: string, locale: Locale): string | undefined {
  if (!/^[A-Z]{2}$/.test(code) || USER_ASSIGNED.test(code)) return undefined;
  const name = regionNames(locale).of(code);
  return name && name !== code ? name : undefined;
}

function shown(text: string, datetime?: string): ShownValue {
  return { text, ltr: !RTL_LETTER.test(text), ...(datetime ? { datetime } : {}) };
}

/**
 * A leaf claim value for the page and the PDF: yes/no, dates in the page language, country codes as
 * country names (Intl.DisplayNames), gender codes in words; anything else as it is. `name` is the
 * claim's own name (the last segment of its path).
 */
export function displayValue(
  name: string,
  value: string | number | boolean | null | undefined,
  locale: Locale,
  m: Messages,
): ShownValue {
  if (value === null || value === undefined) return shown('—');
  if (typeof value === 'boolean') return shown(value ? m.yes : m.no);
  const text = String(value);
  if (GENDER_CLAIM.test(name)) {
    const gender = GENDERS[text.toLowerCase()];
    if (gender) return shown(m.genders[gender]);
  }
  if (typeof value === 'string') {
    const date = localDate(value, locale);
    if (date) return shown(date, value);
    if (COUNTRY_CLAIM.test(name)) {
      const country = countryName(value, locale);
      if (country) return shown(country);
    }
  }
  return shown(text);
}
