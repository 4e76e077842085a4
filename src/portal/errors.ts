/** The steps of an issuance the portal talks to another party for; each has its own wording. */
export type Step =
  | 'issuer_metadata'
  | 'authorization_server'
  | 'authorization'
  | 'token'
  | 'nonce'
  | 'credential'
  | 'verification';

/**
 * A failure of another party (or of what it sent). `code` is the protocol error code when there was
 * one (`invalid_proof`, `invalid_grant`, HTTP 401 …): safe to show. `detail` is for logs only and
 * must not carry tokens or personal data.
 */
export class UpstreamError extends Error {
  readonly code: string | undefined;
  constructor(
    readonly step: Step,
    code: string | undefined,
    readonly detail: string,
  ) {
    super(`${step}${code ? ` (${code})` : ''}: ${detail}`);
    this.name = 'UpstreamError';
    this.code = code === undefined ? undefined : safeCode(code);
  }
}

/** Error codes come from outside: keep a short token of safe characters. */
export function safeCode(code: string): string {
  return code.replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 64) || 'error';
}
