import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { formatOf } from '../../credentials/formats/index.js';
import { onFirstUse } from '../../platform/on-first-use.js';
import { type PortalContext, sendMessage, sendPage } from '../context.js';
import { htmlToken } from '../html/html.js';
import { pageContext } from '../i18n/index.js';
import { notFoundMessage } from '../pages/message.js';
import { resultPage } from '../pages/result.js';
import { flattenClaims } from '../render/claims.js';
import { credentialQr } from '../render/qr.js';
import type { ObtainedCredential } from '../store/credential-store.js';
import { canOfferToWallet } from './wallet.js';

const Params = T.Object({ id: T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const Query = T.Object({ lang: T.Optional(T.String({ maxLength: 10 })) });

/**
 * The PDF renderer (pdf-lib, fontkit, bidi-js and the fonts: about 20 MB of RSS) loads with the first
 * PDF asked for, not when the portal starts: most processes never draw one (docs/decisions.md).
 */
const pdfRenderer = onFirstUse(() => import('../render/pdf.js'));

/** How long a one-time retrieval link in a QR code works. */
export const RETRIEVAL_TTL_MS = 60 * 60_000;

function attachment(reply: FastifyReply, type: string, name: string): FastifyReply {
  return reply
    .header('content-type', type)
    .header('content-disposition', `attachment; filename="${name}"`)
    .header('cache-control', 'no-store');
}

/** The JSON download: the credential as issued plus what the portal verified and shows. */
export function credentialJson(obtained: ObtainedCredential, locale: string): Record<string, unknown> {
  return {
    format: obtained.format,
    credential_configuration_id: obtained.configurationId,
    issuer: obtained.issuerName,
    name: obtained.typeName,
    issued_at: obtained.issuedAt,
    expires_at: obtained.expiresAt,
    claims: obtained.claims,
    labelled_claims: flattenClaims(obtained.claims, obtained.claimsMeta, locale).map((c) => ({
      path: c.path,
      label: c.labels.join(' / '),
      value: c.value,
    })),
    selectively_disclosable: obtained.selectable,
    credential: obtained.credential,
  };
}

/**
 * `GET /credentials/:id` shows an obtained credential; `/download` serves it as issued, `/json` with
 * its verified claims, `/pdf` as an A4 card with a QR code. Only the session that obtained it sees
 * it; to anyone else it does not exist. `GET /r/:id` is the one-time link of a QR code too small for
 * the credential itself.
 */
export function credentialRoutes(app: FastifyInstance, ctx: PortalContext): void {
  const find = (request: Parameters<typeof ctx.cookie.read>[0], id: string) =>
    ctx.credentials.find(ctx.cookie.read(request), id);

  app.get<{ Params: { id: string } }>(
    '/credentials/:id',
    { schema: { params: Params, querystring: Query } },
    async (request, reply) => {
      const obtained = await find(request, request.params.id);
      if (!obtained) return sendMessage(request, reply, notFoundMessage);
      const links = canOfferToWallet(ctx, obtained)
        ? { wallet: `/credentials/${encodeURIComponent(request.params.id)}/wallet` }
        : {};
      return sendPage(
        reply,
        200,
        resultPage(pageContext(request, reply), request.params.id, obtained, links),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/credentials/:id/download',
    { schema: { params: Params } },
    async (request, reply) => {
      const obtained = await find(request, request.params.id);
      if (!obtained) return sendMessage(request, reply, notFoundMessage);
      const extension = formatOf(obtained.format)?.fileExtension ?? 'txt';
      return attachment(
        reply,
        obtained.mediaType,
        `${htmlToken(obtained.configurationId)}.${extension}`,
      ).send(obtained.credential);
    },
  );

  app.get<{ Params: { id: string } }>(
    '/credentials/:id/json',
    { schema: { params: Params, querystring: Query } },
    async (request, reply) => {
      const obtained = await find(request, request.params.id);
      if (!obtained) return sendMessage(request, reply, notFoundMessage);
      const { locale } = pageContext(request, reply);
      return attachment(reply, 'application/json', `${htmlToken(obtained.configurationId)}.json`).send(
        JSON.stringify(credentialJson(obtained, locale), null, 2),
      );
    },
  );

  app.get<{ Params: { id: string } }>(
    '/credentials/:id/pdf',
    { schema: { params: Params, querystring: Query } },
    async (request, reply) => {
      const obtained = await find(request, request.params.id);
      if (!obtained) return sendMessage(request, reply, notFoundMessage);
      const { locale, m } = pageContext(request, reply);
      let until = '';
      const qr = await credentialQr(obtained.credential, async () => {
        const id = await ctx.retrievals.save({
          credential: obtained.credential,
          mediaType: obtained.mediaType,
        });
        until = new Date(Date.now() + RETRIEVAL_TTL_MS).toISOString().slice(0, 16).replace('T', ' ');
        return `${ctx.config.portal.publicUrl}/r/${id}`;
      });
      const { credentialPdf } = await pdfRenderer();
      const pdf = await credentialPdf({
        obtained,
        locale,
        m,
        qr,
        qrCaption: qr.kind === 'inline' ? m.pdfQrInline : m.pdfQrLink(until),
      });
      return attachment(reply, 'application/pdf', `${htmlToken(obtained.configurationId)}.pdf`).send(
        Buffer.from(pdf),
      );
    },
  );

  app.get<{ Params: { id: string } }>('/r/:id', { schema: { params: Params } }, async (request, reply) => {
    const found = await ctx.retrievals.take(request.params.id);
    if (!found) return sendMessage(request, reply, notFoundMessage);
    return reply
      .header('content-type', found.mediaType)
      .header('cache-control', 'no-store')
      .send(found.credential);
  });
}
