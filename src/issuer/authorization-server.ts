const DISCOVERY_TIMEOUT_MS = 5000;

/**
 * A well-known URL of an issuer identifier: RFC 8414 §3.1 inserts the suffix between host and
 * path; OpenID Connect Discovery §4 appends it to the path. Equal when the identifier has no path.
 */
export function wellKnownUrl(issuer: string, suffix: string, style: 'insert' | 'append'): URL {
  const url = new URL(issuer);
  const path = url.pathname === '/' ? '' : url.pathname.replace(/\/$/, '');
  url.pathname = style === 'insert' ? `/.well-known/${suffix}${path}` : `${path}/.well-known/${suffix}`;
  return url;
}

async function fetchJson(url: URL): Promise<Record<string, unknown> | undefined> {
  const response = await fetch(url, {
    headers: { accept: 'application/json' },
    redirect: 'error',
    signal: AbortSignal.timeout(DISCOVERY_TIMEOUT_MS),
  });
  if (!response.ok) return undefined;
  const body: unknown = await response.json();
  return typeof body === 'object' && body !== null && !Array.isArray(body)
    ? (body as Record<string, unknown>)
    : undefined;
}

/**
 * The `jwks_uri` of an authorization server: RFC 8414 metadata first, then OpenID Connect
 * Discovery. The document's `issuer` must be the server asked about (RFC 8414 §3.3), otherwise
 * one server could pass off another's keys.
 */
export async function discoverJwksUri(issuer: string): Promise<URL> {
  for (const url of [
    wellKnownUrl(issuer, 'oauth-authorization-server', 'insert'),
    wellKnownUrl(issuer, 'openid-configuration', 'append'),
  ]) {
    const metadata = await fetchJson(url).catch(() => undefined);
    if (!metadata) continue;
    if (metadata.issuer !== issuer) throw new Error('authorization server metadata names another issuer');
    if (typeof metadata.jwks_uri !== 'string' || !URL.canParse(metadata.jwks_uri)) {
      throw new Error('authorization server metadata has no jwks_uri');
    }
    return new URL(metadata.jwks_uri);
  }
  throw new Error('authorization server metadata not found');
}
