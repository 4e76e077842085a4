/**
 * Candidate well-known URLs for an identifier. The specs (RFC 8615 style, as in OpenID4VCI 1.0
 * §12.2.2 and SD-JWT VC §5) insert the well-known segment between host and path; issuers that
 * append it to the path instead are common, so that form is tried second. Without a path both
 * forms are the same URL.
 */
export function wellKnownUrls(identifier: string, suffix: string): URL[] {
  const base = new URL(identifier);
  const path = base.pathname.replace(/\/$/, '');
  const inserted = new URL(`/.well-known/${suffix}${path}`, base.origin);
  if (!path) return [inserted];
  return [inserted, new URL(`${base.origin}${path}/.well-known/${suffix}`)];
}
