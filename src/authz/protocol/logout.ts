import type { KoaContextWithOIDC } from 'oidc-provider';
import { escapeHtml, messagePage, page } from '../views/html.js';

/**
 * RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0 §2–3): a confirmation page before
 * the session ends. `form` is oidc-provider's hidden form (xsrf token, action /session/end/confirm);
 * the buttons submit it by its id, so the page needs no script under the CSP.
 */
export async function logoutSource(ctx: KoaContextWithOIDC, form: string): Promise<void> {
  const client = ctx.oidc.client;
  const name = client?.clientName ?? client?.clientId;
  const lead = name
    ? `${escapeHtml(name)} asks to sign you out of Attesta sign-in.`
    : 'Do you want to sign out of Attesta sign-in?';
  ctx.type = 'html';
  ctx.body = page(
    'Sign out',
    `<h1>Sign out</h1>
<p>${lead}</p>
${form}
<div class="actions">
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button type="submit" form="op.logoutForm" class="secondary">Stay signed in</button>
</div>`,
  );
}

/** Shown when the logout request named no (registered) post_logout_redirect_uri. */
export async function postLogoutSuccessSource(ctx: KoaContextWithOIDC): Promise<void> {
  ctx.type = 'html';
  ctx.body = messagePage('Signed out', 'You are signed out. You can close this window.');
}
