import type { SignerConfiguration } from './types.js';

interface Displayed {
  name: string;
  locale: string;
  description?: string;
  background_color?: string;
  text_color?: string;
}

/** What type metadata is derived from: the configuration's display and claims, when it has them. */
export interface DescribedConfiguration extends SignerConfiguration {
  display?: Displayed[];
  claims?: {
    path: (string | number | null)[];
    disclosable?: boolean;
    display?: { name: string; locale: string }[];
  }[];
}

const derived = new WeakMap<object, Record<string, unknown>>();

/**
 * The SD-JWT VC Type Metadata of a configuration (SD-JWT VC §6.2): its own `typeMetadata`, or one
 * derived from its display and claims — `vct`, name, per-locale display with colours, and per claim
 * its path, labels and whether it is selectively disclosable (`sd`). Derived deterministically, so
 * every instance serves the same bytes and computes the same `vct#integrity`.
 */
export function typeMetadataOf(configuration: DescribedConfiguration): Record<string, unknown> | undefined {
  if (configuration.typeMetadata) return configuration.typeMetadata;
  if (!configuration.vct) return undefined;
  const cached = derived.get(configuration);
  if (cached) return cached;
  const [first] = configuration.display ?? [];
  const metadata: Record<string, unknown> = {
    vct: configuration.vct,
    ...(first ? { name: first.name } : {}),
    ...(first?.description ? { description: first.description } : {}),
    display: (configuration.display ?? []).map((d) => ({
      lang: d.locale,
      name: d.name,
      ...(d.description ? { description: d.description } : {}),
      ...(d.background_color || d.text_color
        ? {
            rendering: {
              simple: {
                ...(d.background_color ? { background_color: d.background_color } : {}),
                ...(d.text_color ? { text_color: d.text_color } : {}),
              },
            },
          }
        : {}),
    })),
    claims: (configuration.claims ?? []).map((claim) => ({
      path: claim.path,
      display: (claim.display ?? []).map((d) => ({ lang: d.locale, label: d.name })),
      sd: claim.disclosable ? 'always' : 'never',
    })),
  };
  derived.set(configuration, metadata);
  return metadata;
}

/** The exact text served at `/type-metadata/<id>`, and hashed into `vct#integrity`. */
export function typeMetadataText(typeMetadata: Record<string, unknown>): string {
  return JSON.stringify(typeMetadata);
}
