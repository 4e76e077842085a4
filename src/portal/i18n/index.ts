import type { FastifyReply, FastifyRequest } from 'fastify';
import { ar } from './ar.js';
import { en, type Messages } from './en.js';
import { fr } from './fr.js';

export type { Messages } from './en.js';

export const LOCALES = ['en', 'fr', 'ar'] as const;
export type Locale = (typeof LOCALES)[number];

const CATALOGUES: Record<Locale, Messages> = { en, fr, ar };
const RTL = new Set<Locale>(['ar']);
/** Remembers an explicit choice made with the switcher (`?lang=`). */
export const LANG_COOKIE = 'attesta_lang';

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function messages(locale: Locale): Messages {
  return CATALOGUES[locale];
}

export function direction(locale: Locale): 'ltr' | 'rtl' {
  return RTL.has(locale) ? 'rtl' : 'ltr';
}

/** The first of our locales named by an Accept-Language header, by weight (RFC 9110 §12.5.4). */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(',')
    .slice(0, 20)
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find(Boolean);
      return { lang: tag.toLowerCase().split('-')[0], q: q === undefined ? 1 : Number(q), index };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  return ranked.map((r) => r.lang).find(isLocale);
}

/**
 * The locale of a request: `?lang=` (the switcher; remembered in a cookie), else the remembered
 * choice, else Accept-Language, else English.
 */
export function negotiateLocale(request: FastifyRequest, reply: FastifyReply): Locale {
  const asked = (request.query as { lang?: unknown } | undefined)?.lang;
  if (isLocale(asked)) {
    // Not personal, but still only sent back over https when the page came over https.
    reply.setCookie(LANG_COOKIE, asked, {
      path: '/',
      sameSite: 'lax',
      maxAge: 365 * 86400,
      httpOnly: true,
      secure: 'auto',
    });
    return asked;
  }
  const remembered = request.cookies[LANG_COOKIE];
  if (isLocale(remembered)) return remembered;
  return fromAcceptLanguage(request.headers['accept-language']) ?? 'en';
}

/** What every page needs to speak the person's language and link back to itself in another one. */
export interface PageContext {
  locale: Locale;
  m: Messages;
  /** The path and query of this page, for the language switcher. */
  path: string;
}

export function pageContext(request: FastifyRequest, reply: FastifyReply): PageContext {
  const locale = negotiateLocale(request, reply);
  return { locale, m: messages(locale), path: request.url };
}
