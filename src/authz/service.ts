import { createServer } from '../platform/server.js';
import type { ServiceFactory } from '../platform/service.js';

/** Placeholder until the authz service lands: answers health checks only. */
export const createAuthzService: ServiceFactory = async ({ config }) => {
  const app = createServer({ service: 'authz', logLevel: config.log.level });
  app.get('/health', async () => ({ status: 'ok' }));
  return { name: 'authz', app, close: () => app.close() };
};
