import { readFileSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { STYLESHEET_PATH } from '../html/layout.js';

const stylesheet = readFileSync(new URL('../assets/portal.css', import.meta.url), 'utf8');

/** The one stylesheet of every page (the CSP allows styles from this origin only). */
export function assetsRoute(app: FastifyInstance): void {
  app.get(STYLESHEET_PATH, async (_request, reply) =>
    reply
      .header('content-type', 'text/css; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(stylesheet),
  );
}
