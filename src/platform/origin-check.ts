import type { FastifyReply, FastifyRequest } from 'fastify';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The origin (`scheme://host[:port]`) of a URL, as browsers send it in `Origin`. */
export function originOf(url: string): string {
  return new URL(url).origin;
}

/**
 * Whether a state-changing request comes from another site, judged as browsers let us
 * (Fetch Metadata, https://w3c.github.io/webappsec-fetch-metadata/; the same rule as Go's
 * net/http CrossOriginProtection):
 * - `Sec-Fetch-Site: same-origin` or `none` (typed by the person) → ours;
 * - another `Sec-Fetch-Site` (`same-site`, `cross-site`) → cross-site unless `Origin` is trusted;
 * - no `Sec-Fetch-Site` (older browsers): an `Origin` that is neither trusted nor the `Host` → cross-site;
 * - neither header: not a browser form (curl, a server) → not a cross-site form post.
 * Safe methods never change state and are never refused.
 */
export function isCrossSite(request: FastifyRequest, trusted: ReadonlySet<string>): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  const site = request.headers['sec-fetch-site'];
  const origin = request.headers.origin;
  if (site === 'same-origin' || site === 'none') return false;
  if (origin !== undefined && trusted.has(origin)) return false;
  if (site !== undefined) return true;
  if (origin === undefined) return false;
  try {
    return new URL(origin).host !== request.headers.host;
  } catch {
    return true; // `Origin: null` (sandboxed or privacy-sensitive contexts) and garbage
  }
}

export interface OriginGuardOptions {
  /** Origins whose pages may post here: the service's own public URL (behind a proxy `Host` differs). */
  trustedOrigins: readonly string[];
  /** Which requests carry a form of ours (default: every request the hook is registered for). */
  applies?: (request: FastifyRequest) => boolean;
  /** Answers a refused request: a page in the person's language (status 403). */
  refuse: (request: FastifyRequest, reply: FastifyReply) => FastifyReply | Promise<FastifyReply>;
}

/**
 * An `onRequest` hook that refuses cross-site form posts (login CSRF, consent or logout forced by
 * another site) before the body is read. SameSite cookies stay as a second line.
 */
export function originGuard(
  options: OriginGuardOptions,
): (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply | undefined> {
  const trusted = new Set(options.trustedOrigins.map(originOf));
  return async (request, reply) => {
    if (options.applies && !options.applies(request)) return undefined;
    if (!isCrossSite(request, trusted)) return undefined;
    request.log.info({ origin: request.headers.origin ?? null }, 'cross-site form post refused');
    // An async hook that answered returns the reply, so Fastify stops there (no body is read).
    return options.refuse(request, reply);
  };
}
