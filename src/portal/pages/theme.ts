import { createHash } from 'node:crypto';
import type { IssuerEntry } from '../catalog/catalogs.js';
import { localizeType } from '../catalog/issuer-metadata.js';
import { LOCALES } from '../i18n/index.js';

/**
 * Colours come from issuer metadata, but the CSP allows no inline style: each colour pair gets a
 * class, and `/assets/theme.css` defines the classes of every type in the catalogue. Colours are
 * checked by `safeColor` before they get here.
 */
export function themeClass(colors: { background: string | undefined; text: string | undefined }): string {
  if (!colors.background && !colors.text) return 'theme-default';
  const hash = createHash('sha256')
    .update(`${colors.background ?? ''}|${colors.text ?? ''}`)
    .digest('hex')
    .slice(0, 10);
  return `theme-${hash}`;
}

export function themeCss(entries: IssuerEntry[]): string {
  const rules = new Map<string, string>();
  for (const entry of entries) {
    for (const type of entry.catalog?.types ?? []) {
      for (const locale of LOCALES) {
        const colors = localizeType(type, locale);
        const name = themeClass(colors);
        if (name === 'theme-default' || rules.has(name)) continue;
        const declarations = [
          colors.background ? `background-color: ${colors.background};` : '',
          colors.text ? `color: ${colors.text};` : '',
        ].join(' ');
        rules.set(name, `.${name} { ${declarations} }`);
      }
    }
  }
  return [...rules.values()].join('\n');
}
