import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

/**
 * Errors where oidc-provider 9 departs from the RFCs, keyed by its fixed detail (the error's
 * `error_detail`, or its description where that is the only text):
 * - RFC 6749 §5.2: a grant type the client is not registered for is `unauthorized_client`;
 * - RFC 9449 §5: a replayed DPoP proof is an invalid proof, `invalid_dpop_proof`.
 */
const RENAMED: Record<string, { from: string; to: string }> = {
  'requested grant type is not allowed for this client': {
    from: 'invalid_request',
    to: 'unauthorized_client',
  },
  'DPoP proof JWT Replay detected': { from: 'invalid_grant', to: 'invalid_dpop_proof' },
};

/** RFC 6749 §5.2: error and error_description use %x20-21 / %x23-5B / %x5D-7E only. */
const sanitise = (text: string) => text.replace(/[^\x20-\x21\x23-\x5b\x5d-\x7e]/g, ' ');

/** Post-processes the JSON error bodies of oidc-provider's endpoints (token, PAR, revocation, …). */
export function standardTokenErrors(provider: Provider): void {
  const details = new WeakMap<object, string>();
  provider.on('grant.error', (ctx, error) => {
    const detail = (error as { error_detail?: unknown }).error_detail;
    if (typeof detail === 'string' && RENAMED[detail]) details.set(ctx as object, detail);
  });
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { error?: unknown; error_description?: unknown } | undefined;
    if (!body || typeof body !== 'object' || typeof body.error !== 'string') return;
    const detail = details.get(ctx);
    const key = detail ?? (typeof body.error_description === 'string' ? body.error_description : '');
    const rename = RENAMED[key];
    if (rename && rename.from === body.error) {
      body.error = rename.to;
      body.error_description = key;
    }
    if (typeof body.error_description === 'string') body.error_description = sanitise(body.error_description);
  });
}
