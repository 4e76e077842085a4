import type { KoaContextWithOIDC, Provider } from 'oidc-provider';

/**
 * RFC 6749 §5.2: a grant type the client is not registered for is `unauthorized_client`;
 * oidc-provider 9 answers `invalid_request` with this fixed description, so it is renamed here.
 */
const GRANT_TYPE_NOT_ALLOWED = 'requested grant type is not allowed for this client';

export function standardTokenErrors(provider: Provider): void {
  provider.use(async (ctx: KoaContextWithOIDC, next: () => Promise<void>) => {
    await next();
    const body = ctx.body as { error?: string; error_description?: string } | undefined;
    if (
      ctx.oidc?.route === 'token' &&
      body?.error === 'invalid_request' &&
      body.error_description === GRANT_TYPE_NOT_ALLOWED
    ) {
      body.error = 'unauthorized_client';
    }
  });
}
