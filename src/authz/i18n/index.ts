import { ar } from './ar.js';
import { en } from './en.js';
import { fr } from './fr.js';
import type { Messages } from './messages.js';

export type { Messages } from './messages.js';

export const LOCALES = ['en', 'fr', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'en';

const CATALOGS: Record<Locale, Messages> = { en, fr, ar };

export const messagesFor = (locale: Locale): Messages => CATALOGS[locale];

/** When a lock ends, as the pages say it: the time of day in UTC and the minutes left (at least 1). */
export function lockTime(until: number, now: number): { time: string; minutes: number } {
  return {
    time: new Date(until).toISOString().slice(11, 16),
    minutes: Math.max(1, Math.ceil((until - now) / 60_000)),
  };
}

/** The supported language of a BCP 47 tag (`fr-CA` → `fr`), if any. */
export function supported(tag: string | undefined): Locale | undefined {
  const language = tag?.trim().toLowerCase().split(/[-_]/)[0];
  return LOCALES.find((l) => l === language);
}

/** Accept-Language (RFC 9110 §12.5.4) ranges ordered by weight; `q=0` excluded. */
function acceptLanguageTags(header: string): string[] {
  return header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { tag, weight: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.tag && r.weight > 0)
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .map((r) => r.tag);
}

export interface LocaleSources {
  /** The switcher's choice (`?lang=` or the form's hidden `lang`): wins over everything. */
  explicit?: string;
  /** `ui_locales` of the authorization request (OIDC Core §3.1.2.1): space-separated, by preference. */
  uiLocales?: string;
  acceptLanguage?: string;
}

/** Picks the page language: the switcher, then `ui_locales`, then Accept-Language, then English. */
export function chooseLocale(sources: LocaleSources): Locale {
  const candidates = [
    sources.explicit,
    ...(sources.uiLocales?.split(' ') ?? []),
    ...acceptLanguageTags(sources.acceptLanguage ?? ''),
  ];
  for (const tag of candidates) {
    const locale = supported(tag);
    if (locale) return locale;
  }
  return DEFAULT_LOCALE;
}
