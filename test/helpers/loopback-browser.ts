/**
 * A browser's cookie jar for loopback hosts, for HTTP-level journeys through several services: like
 * a browser on localhost, cookies are shared across ports (RFC 6265 §8.5), so one map serves
 * portal and authz.
 */
export class LoopbackBrowser {
  private readonly cookies = new Map<string, string>();
  url = '';

  /** The cookies it holds, name → value (tests look for them where they must not be, e.g. logs). */
  cookieEntries(): [string, string][] {
    return [...this.cookies];
  }

  async go(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const expired = /max-age=0|expires=thu, 01 jan 1970/i.test(line);
      if (expired) this.cookies.delete(pair.slice(0, eq));
      else this.cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    this.url = url;
    return response;
  }

  /** Follows 30x like a browser (GET after 303 or a POST's 302), returning the first non-redirect. */
  async follow(url: string, init: RequestInit = {}, hops: string[] = []): Promise<Response> {
    let response = await this.go(url, init);
    for (let i = 0; i < 10 && response.status >= 300 && response.status < 400; i++) {
      const next = new URL(response.headers.get('location') ?? '', this.url).href;
      hops.push(next);
      response = await this.go(next);
    }
    return response;
  }

  /** Fills and submits the first form whose action matches. */
  async submit(page: string, action: RegExp, fields: Record<string, string>, hops: string[] = []) {
    const actions = [...page.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1] ?? '');
    const target = actions.find((a) => action.test(a));
    if (!target) throw new Error(`no form matching ${action} in ${actions.join(', ')}`);
    return this.follow(
      new URL(target.replaceAll('&amp;', '&'), this.url).href,
      {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      },
      hops,
    );
  }
}
