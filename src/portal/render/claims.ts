import { type ClaimMeta, claimLabels } from '../catalog/issuer-metadata.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Claims in the order the issuer's metadata lists them, then any others in the credential's order.
 * Metadata paths use `*` for array positions.
 */
export function orderedEntries(
  claims: Record<string, unknown>,
  meta: ClaimMeta[],
  labelPrefix: string,
): [string, unknown][] {
  const known = meta
    .map((c) => c.path)
    .filter((path) => path.startsWith(labelPrefix))
    .map((path) => path.slice(labelPrefix.length).split('.')[0] ?? '');
  const rank = (name: string) => {
    const i = known.indexOf(name);
    return i === -1 ? Number.MAX_SAFE_INTEGER : i;
  };
  return Object.entries(claims).sort(([a], [b]) => rank(a) - rank(b));
}

/** A claim value that is a picture (a data: URI of an image), as `portrait`/`picture` claims carry. */
export function isPhoto(value: unknown): value is string {
  return typeof value === 'string' && /^data:image\/(png|jpeg|webp|gif);base64,[A-Za-z0-9+/=]+$/.test(value);
}

export interface FlatClaim {
  /** Dotted path of the value (array positions as numbers). */
  path: string;
  /** Labels from the outermost claim in, per the locale (the claim name when there is none). */
  labels: string[];
  value: string | number | boolean | null;
  /** An array of plain values, item by item (`value` is them joined). */
  items?: (string | number | boolean | null)[];
  /** The claim's own name (the last named segment of its path), which says what its codes mean. */
  name: string;
}

/** Every leaf claim in card order with its labels: for the PDF and the JSON download. */
export function flattenClaims(
  claims: Record<string, unknown>,
  meta: ClaimMeta[],
  locale: string,
): FlatClaim[] {
  const labels = claimLabels(meta, locale);
  const out: FlatClaim[] = [];
  const walk = (value: unknown, path: string[], labelPath: string[], names: string[]) => {
    if (isRecord(value)) {
      const prefix = labelPath.length ? `${labelPath.join('.')}.` : '';
      for (const [name, inner] of orderedEntries(value, meta, prefix)) {
        const lp = [...labelPath, name];
        walk(inner, [...path, name], lp, [...names, labels[lp.join('.')] ?? name]);
      }
    } else if (Array.isArray(value) && value.some((v) => isRecord(v) || Array.isArray(v))) {
      value.forEach((item, i) => {
        walk(item, [...path, String(i)], [...labelPath, '*'], names);
      });
    } else {
      const shown = Array.isArray(value)
        ? value.map((v) => String(v)).join(', ')
        : value === undefined || (typeof value === 'object' && value !== null)
          ? JSON.stringify(value ?? null)
          : (value as string | number | boolean | null);
      const name = [...path].reverse().find((p) => !/^\d+$/.test(p)) ?? '';
      const items = Array.isArray(value)
        ? value.map((v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : (v as string)))
        : undefined;
      out.push({ path: path.join('.'), labels: names, value: shown, name, ...(items ? { items } : {}) });
    }
  };
  walk(claims, [], [], []);
  return out;
}
