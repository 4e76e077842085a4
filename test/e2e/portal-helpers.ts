import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { messages as portalMessages } from '../../src/portal/i18n/index.js';
import { screenshotPath } from '../helpers/browser.js';

/** axe-core's result shape, as much as the tests read. */
interface AxeViolation {
  id: string;
  impact: string | null;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core in the page (injected as a script: the context bypasses the CSP for that) and
 * fails on any serious or critical violation, naming the rule and the elements.
 */
export async function expectAccessible(page: Page, name: string): Promise<void> {
  await page.addScriptTag({ path: 'node_modules/axe-core/axe.min.js' });
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (c: Document) => Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const result = await axe.run(document);
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      nodes: v.nodes.map((n) => ({ target: n.target })),
    }));
  });
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id} (${v.impact}) at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(serious).toEqual([]);
}

/** Phone and desktop: every page is photographed at both widths, in every language. */
export const SCREENSHOT_WIDTHS = [375, 1280] as const;
/** Also measured (no screenshot): the smallest phones, and a desktop window at 200 % zoom. */
export const CHECKED_WIDTHS = [320, 414, 640] as const;

/**
 * What a person on a phone would notice, measured in the page: the page scrolls sideways, or a word
 * is split over two lines (a value wrapped mid-word, "Mat/eo"), or a button or link is smaller than
 * a 44 × 44 px touch target (WCAG 2.5.5). Words are cut at spaces, hyphens, slashes and the `@` of an
 * e-mail address, where a line may break; text inside `<code>` (technical identifiers) is left out.
 */
export async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const root = document.documentElement;
    if (root.scrollWidth > root.clientWidth + 1) {
      problems.push(`scrolls sideways: ${root.scrollWidth} > ${root.clientWidth}`);
    }
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('code, script, style, [hidden], noscript')) continue;
      const text = node.textContent ?? '';
      for (const word of text.matchAll(/[^\s\-‐–—/@]+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index ?? 0);
        range.setEnd(node, (word.index ?? 0) + word[0].length);
        const rects = [...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0);
        const lines = new Set(rects.map((r) => Math.round(r.bottom)));
        if (lines.size > 1) problems.push(`word split over ${lines.size} lines: ${word[0]}`);
      }
    }
    for (const target of document.querySelectorAll(
      'main a, main button, main summary, header a, main input, main textarea',
    )) {
      const box = target.getBoundingClientRect();
      if (box.width === 0 && box.height === 0) continue; // not shown (folded away)
      if (box.height < 43.5 || box.width < 43.5) {
        problems.push(
          `touch target ${Math.round(box.width)}×${Math.round(box.height)}: ${target.outerHTML.slice(0, 80)}`,
        );
      }
    }
    return problems;
  });
}

/**
 * English words a French or Arabic page must not show: every text of the portal's English catalogue
 * and of the demo configurations' English display entries whose translation differs from it.
 */
export function untranslatedStrings(locale: 'fr' | 'ar'): string[] {
  const out = new Set<string>();
  const walk = (english: unknown, translated: unknown) => {
    if (typeof english === 'string' && english !== translated && english.length >= 4) out.add(english);
    else if (english && typeof english === 'object') {
      for (const [key, value] of Object.entries(english)) {
        if (key === 'languageName') continue; // the switcher names each language in itself
        walk(value, (translated as Record<string, unknown> | undefined)?.[key]);
      }
    }
  };
  walk(portalMessages('en'), portalMessages(locale));
  for (const file of readdirSync(DEMO_CONFIGURATIONS)) {
    const configuration = JSON.parse(readFileSync(join(DEMO_CONFIGURATIONS, file), 'utf8')) as {
      display: DisplayEntry[];
      claims?: { display: DisplayEntry[] }[];
    };
    for (const entries of [configuration.display, ...(configuration.claims ?? []).map((c) => c.display)]) {
      const english = entries.find((d) => d.locale === 'en');
      const translated = entries.find((d) => d.locale === locale);
      if (english?.name) walk(english.name, translated?.name);
      if (english?.description) walk(english.description, translated?.description);
    }
  }
  return [...out];
}

interface DisplayEntry {
  locale?: string;
  name?: string;
  description?: string;
}

const DEMO_CONFIGURATIONS = join(process.cwd(), 'config', 'demo', 'configurations');
const leaks = new Map<string, string[]>();

/** English texts shown on a page in another language (visible text and alt/aria labels). */
export async function untranslatedOn(page: Page, locale: 'fr' | 'ar'): Promise<string[]> {
  let strings = leaks.get(locale);
  if (!strings) {
    strings = untranslatedStrings(locale);
    leaks.set(locale, strings);
  }
  const shown = await page.evaluate(() => {
    const attributes = [...document.querySelectorAll('[alt], [aria-label], [title]')].flatMap((e) =>
      ['alt', 'aria-label', 'title'].map((a) => e.getAttribute(a) ?? ''),
    );
    // biome-ignore lint/performance/useDomNodeTextContent: the text a person sees (innerText), not hidden nodes' (textContent)
    return [document.title, document.body.innerText, ...attributes].join('\n');
  });
  return strings.filter((english) => {
    const at = shown.indexOf(english);
    if (at === -1) return false;
    // A whole phrase, not part of a longer word ("Plan" inside "Planning").
    const before = shown[at - 1] ?? ' ';
    const after = shown[at + english.length] ?? ' ';
    return !/[\p{L}]/u.test(before) && !/[\p{L}]/u.test(after);
  });
}

/**
 * One page of a journey, as people see it: a screenshot at phone and desktop width (kept as an
 * artifact), no sideways scroll, no word split, touch targets of 44 px at every checked width
 * (320–414 px phones, 640 px = a desktop window at 200 % zoom), nothing left in English on a
 * French or Arabic page, and the accessibility check.
 */
export async function checkpoint(page: Page, name: string): Promise<void> {
  const original = page.viewportSize() ?? { width: 1280, height: 720 };
  const locale = (await page.locator('html').getAttribute('lang')) ?? 'en';
  const problems: string[] = [];
  for (const width of [...SCREENSHOT_WIDTHS, ...CHECKED_WIDTHS]) {
    await page.setViewportSize({ width, height: 800 });
    if ((SCREENSHOT_WIDTHS as readonly number[]).includes(width)) {
      await page.screenshot({ path: screenshotPath(`${name}-${width}`), fullPage: true });
    }
    problems.push(...(await layoutProblems(page)).map((p) => `${name} at ${width}px: ${p}`));
  }
  await page.setViewportSize(original);
  if (locale === 'fr' || locale === 'ar') {
    problems.push(...(await untranslatedOn(page, locale)).map((s) => `${name}: untranslated “${s}”`));
  }
  expect(problems).toEqual([]);
  await expectAccessible(page, name);
}

/** Signs a demo person in at authz (fields by name: their labels follow the language), consenting if asked. */
export async function signIn(
  page: Page,
  portal: string,
  person: { individualId: string; fullName: string; birthDate: string },
): Promise<void> {
  await page.locator('input[name="individual_id"]').fill(person.individualId);
  await page.locator('input[name="full_name"]').fill(person.fullName);
  await page.locator('input[name="date_of_birth"]').fill(person.birthDate);
  await page.locator('form:has(input[name="individual_id"]) button[type="submit"]').click();
  const allow = page.locator('form:has(input[name="decision"][value="allow"]) button');
  await expect
    .poll(async () => page.url().startsWith(portal) || (await allow.count()) > 0, { timeout: 20_000 })
    .toBe(true);
  if (!page.url().startsWith(portal)) {
    await allow.click();
    await page.waitForURL((url) => url.href.startsWith(portal));
  }
}
