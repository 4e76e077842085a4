import type { FastifyInstance } from 'fastify';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * authz's security headers: helmet's defaults, a CSP that allows nothing but the service's own
 * stylesheet and images and form posts to itself and the clients' callbacks, and no referrer.
 * `formActionSources` is called for each response (the clients live in the database).
 */
export function securityHeaderOptions(formActionSources: () => string): HelmetOptions {
  return {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'none'"],
        // Explicit so that oidc-provider's form_post page can add the hash of its one script.
        scriptSrc: ["'none'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'"],
        formAction: [formActionSources],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
  };
}

/**
 * Sets them on every response, in an onRequest hook on the raw response, so that they also reach
 * the answers oidc-provider writes itself (register it before the provider is mounted). helmet's
 * middleware is built once, here: @fastify/helmet built it again on every request — the options
 * parsed and checked each time, about a sixth of a millisecond of a sign-in's nine requests in the
 * profile (docs/decisions.md). test/authz/security-headers.test.ts compares the headers with
 * @fastify/helmet's for the same options.
 */
export function setSecurityHeaders(app: FastifyInstance, formActionSources: () => string): void {
  const middleware = helmet(securityHeaderOptions(formActionSources));
  app.addHook('onRequest', (request, reply, done) => {
    try {
      middleware(request.raw, reply.raw, () => done());
    } catch (error) {
      done(error as Error);
    }
  });
}
