import type { Page } from 'playwright-core';
import { expect } from 'vitest';
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

/** A screenshot kept as an artifact, and the accessibility check, for one page of a journey. */
export async function checkpoint(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: screenshotPath(name), fullPage: true });
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
