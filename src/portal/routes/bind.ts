import { Type as T } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { decodeProtectedHeader, type JWK } from 'jose';
import { type PortalContext, sendMessage, sendPage } from '../context.js';
import { UpstreamError } from '../errors.js';
import { pageContext } from '../i18n/index.js';
import { fetchNonce, requestCredential } from '../issuance/credential-request.js';
import { openDpopKey } from '../issuance/dpop.js';
import { publicMembers } from '../issuance/holder-proof.js';
import { verifyAndDescribe } from '../issuance/obtain-credential.js';
import { bindPage } from '../pages/bind.js';
import { notFoundMessage, sessionExpiredMessage } from '../pages/message.js';

/** How long the browser has to sign: the access token's own lifetime is usually shorter. */
export const PENDING_TTL_MS = 5 * 60_000;

const Params = T.Object({ id: T.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const Body = T.Object({
  proof: T.String({ pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', maxLength: 4096 }),
});

/** The public key a browser proof carries in its header (Appendix F.1 `jwk`). */
function proofKey(proof: string): JWK {
  try {
    const header = decodeProtectedHeader(proof);
    if (header.jwk && typeof header.jwk === 'object') return publicMembers(header.jwk as JWK);
  } catch {
    // fall through
  }
  throw new UpstreamError('credential', 'invalid_proof', 'the browser proof has no key');
}

/**
 * `GET /bind/:id` draws the page whose script signs the proof with the browser's key;
 * `POST /bind/:id` takes the signed proof (once), asks the issuer for the credential bound to that
 * key, verifies it and shows it. A refused nonce sends the browser round again with a fresh one.
 */
export function bindRoutes(app: FastifyInstance, ctx: PortalContext): void {
  app.get<{ Params: { id: string } }>('/bind/:id', { schema: { params: Params } }, async (request, reply) => {
    const pending = await ctx.pending.peek(request.params.id, ctx.cookie.read(request));
    if (!pending) return sendMessage(request, reply, sessionExpiredMessage);
    return sendPage(
      reply,
      200,
      bindPage(pageContext(request, reply), {
        id: request.params.id,
        audience: pending.issuer,
        nonce: pending.nonce,
      }),
    );
  });

  app.post<{ Params: { id: string }; Body: { proof: string } }>(
    '/bind/:id',
    { schema: { params: Params, body: Body } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      const session = ctx.cookie.read(request);
      const pending = await ctx.pending.take(request.params.id, session);
      if (!pending || !session) return sendMessage(request, reply, sessionExpiredMessage);
      const catalog = await ctx.catalogs.byUrl(pending.issuer);
      const type = catalog?.types.find((t) => t.id === pending.configurationId);
      if (!catalog || !type) return sendMessage(request, reply, notFoundMessage);

      const holderJwk = proofKey(request.body.proof);
      const dpop = pending.dpopKey ? await openDpopKey(ctx.masterKey, pending.dpopKey) : undefined;
      const outcome = await requestCredential(ctx.config, {
        catalog,
        configurationId: type.id,
        grant: { accessToken: pending.accessToken, ...(dpop ? { dpop } : {}) },
        proof: request.body.proof,
      });
      if (outcome.kind === 'retry_nonce') {
        if ((pending.attempts ?? 0) >= 1)
          throw new UpstreamError('credential', 'invalid_nonce', 'nonce refused twice');
        const nonce = outcome.nonce ?? (await fetchNonce(ctx.config, catalog));
        const id = await ctx.pending.save(
          { ...pending, nonce, attempts: (pending.attempts ?? 0) + 1 },
          session,
        );
        return reply.redirect(`/bind/${encodeURIComponent(id)}`, 303);
      }
      const obtained = await verifyAndDescribe(
        ctx.config,
        ctx.issuerKeys,
        { catalog, type, credential: outcome.credential, holderJwk },
        'browser',
      );
      const id = await ctx.credentials.save(session, { ...obtained, subject: pending.subject });
      return reply.redirect(`/credentials/${encodeURIComponent(id)}`, 303);
    },
  );
}
