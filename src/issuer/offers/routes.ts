import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProtocolError } from '../../platform/errors.js';
import { ADMIN_SCOPE, OFFERS_SCOPE } from '../admin/auth.js';
import { OfferRequest, type OfferService, qrPng, qrSvg } from './create.js';
import type { OfferStore } from './store.js';

export type AdminGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** `POST /admin/offers`, registered inside the admin scope whose hook authenticates the caller. */
export function offerAdminRoute(offers: OfferService): (scope: FastifyInstance) => void {
  return (scope) => {
    scope.post<{ Body: OfferRequest }>(
      '/admin/offers',
      // A client that only makes offers (the portal's "add to wallet") needs no full admin rights.
      { schema: { body: OfferRequest }, config: { adminScopes: [ADMIN_SCOPE, OFFERS_SCOPE] } },
      async (request, reply) =>
        reply
          .status(201)
          .header('cache-control', 'no-store')
          .send(await offers.create(request.body)),
    );
  };
}

/**
 * The public side of offers (OpenID4VCI 1.0 §4.1.3): the by-reference document a wallet fetches
 * (CORS open, never cached, gone once redeemed or expired) and its QR codes as PNG and SVG.
 */
export function registerOfferRoutes(app: FastifyInstance, store: OfferStore, offers: OfferService): void {
  const live = async (id: string) => {
    const offer = await store.get(id);
    if (!offer || offer.redeemed || offer.expiresAt <= Date.now())
      throw new ProtocolError(404, 'not_found', 'no such credential offer');
    return offer;
  };
  type Req = { Params: { id: string }; Querystring: { draft13?: string } };
  app.get<Req>('/offers/:id', async (request, reply) => {
    const offer = await live(request.params.id);
    return reply
      .header('access-control-allow-origin', '*')
      .header('cache-control', 'no-store')
      .send(offers.offerDocument(offer, request.query.draft13 === '1'));
  });
  app.get<Req>('/offers/:id/qr.png', async (request, reply) => {
    const offer = await live(request.params.id);
    const png = await qrPng(offers.referenceUri(offer.id, request.query.draft13 === '1'));
    return reply.header('cache-control', 'no-store').type('image/png').send(png);
  });
  app.get<Req>('/offers/:id/qr.svg', async (request, reply) => {
    const offer = await live(request.params.id);
    const svg = await qrSvg(offers.referenceUri(offer.id, request.query.draft13 === '1'));
    return reply.header('cache-control', 'no-store').type('image/svg+xml').send(svg);
  });
}
