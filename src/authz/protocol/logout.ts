import type { KoaContextWithOIDC } from 'oidc-provider';
import { loggedOutPage, logoutConfirmPage } from '../views/provider-pages.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2–3): a confirmation page before
 * the session ends, in the person's language (views/provider-pages.ts).
 */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  ctx.type = 'html';
  ctx.body = logoutConfirmPage(ctx, form);
}

/** Shown when the logout request named no (registered) post_logout_redirect_uri. */
export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = loggedOutPage(ctx);
}
