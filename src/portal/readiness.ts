import type { Config } from '../platform/config/index.js';
import type { ReadinessCheck } from '../platform/health/index.js';

const TIMEOUT_MS = 2000;

async function getJson(url: string): Promise<Record<string, unknown>> {
  const response = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(TIMEOUT_MS) });
  if (!response.ok) {
    await response.body?.cancel();
    throw new Error(`${new URL(url).origin} answered ${response.status}`);
  }
  return (await response.json()) as Record<string, unknown>;
}

/** RFC 8414 metadata first (what OpenID4VCI names), then OpenID Connect Discovery §4. */
async function authorizationServerAnswers(as: string): Promise<void> {
  const base = as.replace(/\/$/, '');
  try {
    await getJson(`${base}/.well-known/oauth-authorization-server`);
  } catch {
    await getJson(`${base}/.well-known/openid-configuration`);
  }
}

/**
 * The portal can only serve a person when its issuer and that issuer's authorization servers
 * answer: `issuer` reads the credential issuer metadata (OpenID4VCI 1.0 §12.2.2), `authz` the
 * metadata of each authorization server it names (§12.2.4; the issuer itself when it names none).
 */
export function portalUpstreamChecks(config: Config): ReadinessCheck[] {
  const issuer = config.portal.issuerUrl.replace(/\/$/, '');
  const metadata = () => getJson(`${issuer}/.well-known/openid-credential-issuer`);
  return [
    {
      name: 'issuer',
      async check() {
        await metadata();
      },
    },
    {
      name: 'authz',
      async check() {
        const { authorization_servers: named } = await metadata();
        const servers = Array.isArray(named) && named.length > 0 ? named.map(String) : [issuer];
        await Promise.all(servers.map(authorizationServerAnswers));
      },
    },
  ];
}
