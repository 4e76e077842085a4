import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { siblingsOf } from '../catalog/groups.js';
import { type PortalContext, sendMessage, sendPage } from '../context.js';
import { pageContext } from '../i18n/index.js';
import { createWalletOffer } from '../issuance/wallet-offer.js';
import { notFoundMessage } from '../pages/message.js';
import { walletPage } from '../pages/wallet.js';
import { qrDataUri } from '../render/qr.js';
import type { ObtainedCredential } from '../store/credential-store.js';

const Params = T.Object({ id: T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });

/**
 * "Add to wallet" needs our issuer's offers API (reached with `portal.issuerApiKey`, or a
 * client-credentials token with `issuer:offers` from the issuer's authorization server), a credential
 * of that issuer, and the person's subject from the sign-in.
 */
export function canOfferToWallet(ctx: PortalContext, obtained: ObtainedCredential): boolean {
  return Boolean(obtained.subject && obtained.issuer === ctx.catalogs.primary);
}

/**
 * The configurations a wallet may take for this credential: the one the person obtained first, then
 * the same credential in the issuer's other formats (one offer, OpenID4VCI 1.0 §4.1.1
 * `credential_configuration_ids`), so a wallet that cannot take the first format picks another.
 */
async function offeredConfigurations(ctx: PortalContext, obtained: ObtainedCredential): Promise<string[]> {
  const catalog = obtained.issuer ? await ctx.catalogs.byUrl(obtained.issuer) : undefined;
  const siblings = siblingsOf(catalog?.types ?? [], obtained.configurationId).map((t) => t.id);
  return siblings.length ? siblings : [obtained.configurationId];
}

/** The Bearer credential for the issuer's offers API: the configured API key, else an OAuth token. */
async function offersCredential(ctx: PortalContext, issuer: string): Promise<string> {
  if (ctx.config.portal.issuerApiKey) return ctx.config.portal.issuerApiKey;
  const catalog = await ctx.catalogs.byUrl(issuer);
  return ctx.offersTokens.get(catalog?.authorizationServer ?? issuer, issuer);
}

/**
 * `POST /credentials/:id/wallet` (a form button: it creates something, so not a GET): a fresh
 * OpenID4VCI credential offer for the same person and credential type, shown as a QR code with the
 * transaction code beside it. Nothing of the offer is stored by the portal.
 */
export function walletRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.post<{ Params: { id: string } }>(
    '/credentials/:id/wallet',
    { schema: { params: Params } },
    async (request, reply) => {
      const obtained = await ctx.credentials.find(ctx.cookie.read(request), request.params.id);
      if (!obtained?.subject || !obtained.issuer || !canOfferToWallet(ctx, obtained)) {
        return sendMessage(request, reply, notFoundMessage);
      }
      const back = `/credentials/${encodeURIComponent(request.params.id)}`;
      // The language links lead to the credential page: this page answers a POST.
      const pc = { ...pageContext(request, reply), path: back };
      const offer = await createWalletOffer(
        ctx.config,
        obtained.issuer,
        {
          configurationIds: await offeredConfigurations(ctx, obtained),
          subject: obtained.subject,
          txDescription: pc.m.walletTxCode,
        },
        await offersCredential(ctx, obtained.issuer),
      );
      return sendPage(reply, 200, walletPage(pc, offer, await qrDataUri(offer.uri), back));
    },
  );
}
