import proxyAddr from '@fastify/proxy-addr';
import type { FastifyInstance } from 'fastify';

/**
 * Request headers a reverse proxy sets about the client (RFC 7239 `Forwarded` and the de facto
 * `X-Forwarded-*`). Anyone can send them, so they are believed only from a configured proxy.
 */
const FORWARDED_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host'] as const;

/** `http.trustProxy` ("10.0.0.0/8, 192.0.2.7", or a proxy-addr name such as `loopback`) as a list. */
export function trustedProxies(setting: string): string[] {
  return setting
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
}

/** The first entry that is not an IP address, a CIDR range or a proxy-addr name, if any. */
export function invalidProxyEntry(entries: readonly string[]): string | undefined {
  return entries.find((entry) => {
    try {
      proxyAddr.compile(entry);
      return false;
    } catch {
      return true;
    }
  });
}

/**
 * Drops the forwarding headers of a request whose peer is not a trusted proxy, before anything reads
 * them: Fastify's `request.ip`/`protocol`/`host` already ignore them then, and this also keeps them
 * from a mounted app that trusts them outright (oidc-provider's Koa app with `proxy = true`).
 */
export function dropUntrustedForwarding(app: FastifyInstance, entries: readonly string[]): void {
  const trusted = proxyAddr.compile([...entries]);
  app.addHook('onRequest', (request, _reply, done) => {
    const peer = request.raw.socket?.remoteAddress;
    if (!peer || !trusted(peer, 0)) {
      for (const header of FORWARDED_HEADERS) delete request.raw.headers[header];
    }
    done();
  });
}
