import { createServer } from '../platform/server.js';
import type { ServiceFactory } from '../platform/service.js';

/** Placeholder until the issuer service lands: answers health checks only. */
export const createIssuerService: ServiceFactory = async ({ config }) => {
  const app = createServer({ service: 'issuer', logLevel: config.log.level });
  app.get('/health', async () => ({ status: 'ok' }));
  return { name: 'issuer', app, close: () => app.close() };
};
