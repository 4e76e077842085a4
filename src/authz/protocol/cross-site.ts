import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../../platform/config/index.js';
import { originGuard } from '../../platform/origin-check.js';
import { chooseLocale, messagesFor } from '../i18n/index.js';
import { messagePage } from '../views/html.js';

/** Logout confirmation, oidc-provider's own form (the RP's POST to /session/end is cross-site by design). */
const LOGOUT_CONFIRM = '/session/end/confirm';

/**
 * authz's forms — sign-in (KBI, password, one-time code and resend), consent, cancel, and the logout
 * confirmation — accept posts from authz's own pages only (src/platform/origin-check.ts). The
 * authorization endpoint and `/session/end` stay open to other sites: OIDC lets clients POST to them.
 */
export function crossSiteFormGuard(config: Config) {
  return originGuard({
    trustedOrigins: [config.authz.publicUrl],
    applies: (request) => {
      const path = (request.url.split('?', 1)[0] as string).replace(/\/+$/, '');
      return path.startsWith('/interaction/') || path === LOGOUT_CONFIRM;
    },
    refuse: (request: FastifyRequest, reply: FastifyReply) => {
      const locale = chooseLocale({ acceptLanguage: request.headers['accept-language'] });
      const m = messagesFor(locale);
      return reply
        .status(403)
        .type('text/html; charset=utf-8')
        .header('cache-control', 'no-store')
        .send(messagePage(m.crossSiteTitle, m.crossSiteMessage, { locale }));
    },
  });
}
