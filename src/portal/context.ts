import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config/index.js';
import type { KeyStore, MasterKey } from '../platform/keys/index.js';
import type { Catalogs } from './catalog/catalogs.js';
import type { SafeHtml } from './html/html.js';
import { pageContext } from './i18n/index.js';
import type { IssuerKeys } from './issuance/issuer-keys.js';
import type { OffersTokens } from './issuance/offers-token.js';
import type { AuthorizationServers } from './oidc/authorization-server.js';
import { type Message, messagePage } from './pages/message.js';
import type { SessionCookie } from './session-cookie.js';
import type { CredentialStore } from './store/credential-store.js';
import type { FlowStore } from './store/flow-store.js';
import type { PendingIssuance, Retrieval } from './store/records.js';
import type { SealedStore } from './store/sealed-store.js';

/** Purpose of the portal's client authentication key in the key store. */
export const CLIENT_KEY_PURPOSE = 'portal-client';

/** Everything the portal's routes share; built once per service instance. */
export interface PortalContext {
  config: Config;
  keys: KeyStore;
  catalogs: Catalogs;
  servers: AuthorizationServers;
  /** Tokens for our issuer's offers API ("add to wallet") when no API key is configured. */
  offersTokens: OffersTokens;
  issuerKeys: IssuerKeys;
  flows: FlowStore;
  credentials: CredentialStore;
  /** Issuances waiting for a proof signed in the browser. */
  pending: SealedStore<PendingIssuance>;
  /** Credentials behind one-time QR links. */
  retrievals: SealedStore<Retrieval>;
  masterKey: MasterKey;
  cookie: SessionCookie;
  /** `${publicUrl}/callback`, registered with the authorization server. */
  redirectUri: string;
}

/** Pages may carry personal data or one-time links: never cached. */
export function sendPage(reply: FastifyReply, status: number, page: SafeHtml): FastifyReply {
  return reply
    .status(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(page.value);
}

export function sendMessage(request: FastifyRequest, reply: FastifyReply, message: Message): FastifyReply {
  return sendPage(reply, message.status, messagePage(pageContext(request, reply), message));
}
