import { createServer } from '../platform/server.js';
import type { ServiceFactory } from '../platform/service.js';

/** Placeholder until the portal service lands: answers health checks only. */
export const createPortalService: ServiceFactory = async ({ config }) => {
  const app = createServer({ service: 'portal', logLevel: config.log.level });
  app.get('/health', async () => ({ status: 'ok' }));
  return { name: 'portal', app, close: () => app.close() };
};
