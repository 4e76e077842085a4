import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ProtocolError } from '../../platform/errors.js';
import type { AuditTrail } from '../admin/audit.js';
import {
  ADMIN_SCOPE,
  actorOf,
  adminPrincipal,
  holdsScope,
  OFFER_CLAIMS_SCOPE,
  OFFERS_SCOPE,
} from '../admin/auth.js';
import { OfferRequest, type OfferService, qrPng, qrSvg } from './create.js';
import type { OfferStore } from './store.js';

export type AdminGuard = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** RFC 6750 §3.1: the token is valid but lacks the scope this request needs. */
const claimsNeedScope = () =>
  new ProtocolError(
    403,
    'insufficient_scope',
    `offers with caller-supplied claims need scope ${OFFER_CLAIMS_SCOPE}`,
    { 'www-authenticate': `Bearer error="insufficient_scope", scope="${OFFER_CLAIMS_SCOPE}"` },
  );

/**
 * `POST /admin/offers`, registered inside the admin scope whose hook authenticates the caller.
 * `issuer:offers` (or `issuer:admin`) makes offers for a `subject`: the data provider supplies the
 * claims at issuance. An offer that carries its own `claims` says what a signed credential will
 * contain, so it needs `issuer:offers:claims` (or an API key). Every creation is audited with the
 * caller, the configurations and where the claims come from — never the subject or the claims.
 */
export function offerAdminRoute(offers: OfferService, audit: AuditTrail): (scope: FastifyInstance) => void {
  return (scope) => {
    scope.post<{ Body: OfferRequest }>(
      '/admin/offers',
      {
        schema: { body: OfferRequest },
        config: { adminScopes: [ADMIN_SCOPE, OFFERS_SCOPE, OFFER_CLAIMS_SCOPE] },
      },
      async (request, reply) => {
        const principal = adminPrincipal(request);
        const callerClaims = request.body.claims !== undefined;
        const entry = {
          actor: actorOf(principal),
          action: callerClaims ? 'offer.create.claims' : 'offer.create',
          target: request.body.credential_configuration_ids.join(' ').slice(0, 500),
        };
        if (callerClaims && !holdsScope(principal, OFFER_CLAIMS_SCOPE)) {
          const refusal = claimsNeedScope();
          await audit.record({ ...entry, outcome: 'refused', detail: refusal.description });
          throw refusal;
        }
        let created: Awaited<ReturnType<OfferService['create']>>;
        try {
          created = await offers.create(request.body);
        } catch (error) {
          const detail = error instanceof ProtocolError ? error.description : 'failed';
          await audit.record({ ...entry, outcome: 'failed', detail });
          throw error;
        }
        await audit.record({ ...entry, outcome: 'done', detail: `offer ${created.id}` });
        return reply.status(201).header('cache-control', 'no-store').send(created);
      },
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
