import { createHash } from 'node:crypto';

/**
 * `vct#integrity` (SD-JWT VC §6.5, W3C Subresource Integrity §3.5): `sha256-<base64 digest>` of the
 * Type Metadata document exactly as served. Callers hash the bytes they publish, never a re-encoding.
 */
export function integrityOf(bytes: string | Uint8Array): string {
  return `sha256-${createHash('sha256').update(bytes).digest('base64')}`;
}

/** Checks an SRI string (any of the listed sha256/384/512 digests must match; others ignored). */
export function matchesIntegrity(bytes: string | Uint8Array, integrity: string): boolean {
  const names: Record<string, string> = { sha256: 'sha256', sha384: 'sha384', sha512: 'sha512' };
  return integrity
    .split(/\s+/)
    .filter(Boolean)
    .some((item) => {
      const [alg, value] = item.split('-', 2) as [string, string | undefined];
      const nodeAlg = names[alg];
      return (
        nodeAlg !== undefined &&
        value !== undefined &&
        createHash(nodeAlg).update(bytes).digest('base64') === value
      );
    });
}
