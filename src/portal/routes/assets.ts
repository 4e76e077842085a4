import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { PortalContext } from '../context.js';
import { STYLESHEET_PATH } from '../html/layout.js';
import { BIND_SCRIPT_PATH } from '../pages/bind.js';
import { themeCss } from '../pages/theme.js';

const stylesheet = readFileSync(new URL('../assets/portal.css', import.meta.url), 'utf8');
const bindScript = readFileSync(new URL('../assets/bind.js', import.meta.url), 'utf8');

/**
 * The stylesheet (with the colours of the catalogue's credential types appended: the CSP allows
 * styles from this origin only, no inline style) and the one script, which binds a credential to
 * the browser's own key.
 */
export function assetsRoute(app: FastifyInstance, ctx: PortalContext): void {
  app.get(STYLESHEET_PATH, async (_request, reply) => {
    let theme = '';
    try {
      theme = themeCss(await ctx.catalogs.all());
    } catch {
      // the base stylesheet alone is still a usable page
    }
    return reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .send(`${stylesheet}\n${theme}\n`);
  });
  app.get(BIND_SCRIPT_PATH, async (_request, reply) =>
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(bindScript),
  );
}
