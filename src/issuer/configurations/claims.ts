import type { Identity } from '../../platform/registry/index.js';
import type { ClaimSource, CredentialConfiguration } from './types.js';

function sourceValue(identity: Identity, source: ClaimSource): unknown {
  if ('constant' in source) return source.constant;
  const [field, member] = source.identity.split('.') as [keyof Identity, string | undefined];
  const value = identity[field];
  if (member === undefined) return value;
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[member] : undefined;
}

/**
 * The credential claims of a person under a configuration, and the dotted paths to make
 * selectively disclosable. Claims the registry does not hold are left out, not issued empty.
 */
export function claimsFor(
  configuration: CredentialConfiguration,
  identity: Identity,
): { claims: Record<string, unknown>; disclosable: string[] } {
  const claims: Record<string, unknown> = {};
  for (const definition of configuration.claims) {
    if (!definition.source) continue;
    const value = sourceValue(identity, definition.source);
    if (value === undefined || value === null || value === '') continue;
    let target = claims;
    for (const segment of definition.path.slice(0, -1)) {
      target[segment] ??= {};
      target = target[segment] as Record<string, unknown>;
    }
    target[definition.path.at(-1) as string] = definition.asArray ? [value] : value;
  }
  const present = (path: string[]) => {
    let node: unknown = claims;
    for (const segment of path) {
      node =
        typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[segment] : undefined;
    }
    return node !== undefined;
  };
  const disclosable = configuration.claims
    .filter((d) => d.disclosable && present(d.path))
    .map((d) => d.path.join('.'));
  return { claims, disclosable };
}
