import type { FastifyInstance } from 'fastify';
import type { Config, ServiceName } from './config/index.js';
import type { Readiness } from './health/index.js';
import type { MasterKey } from './keys/index.js';
import type { Lifecycle } from './lifecycle.js';
import type { IdentityRegistry } from './registry/index.js';

/** What the CLI hands every service: the validated configuration and shared process resources. */
export interface ServiceContext {
  config: Config;
  masterKey: MasterKey;
  /** Present for services that read the identity registry (authz, issuer). */
  registry: IdentityRegistry;
  /** The process's lifecycle (draining after SIGTERM); readiness reads it. Absent in tests that build one service. */
  lifecycle?: Lifecycle;
}

/**
 * A built service, not yet listening. Shutdown is two steps: the lifecycle turns draining first
 * (readiness reports not ready while the service still serves), then `close` stops accepting, lets
 * open requests finish and closes its database.
 */
export interface Service {
  name: ServiceName;
  app: FastifyInstance;
  /** Its readiness checks (and the lifecycle), read by `GET /health/ready`. */
  readiness: Readiness;
  close(): Promise<void>;
}

export type ServiceFactory = (context: ServiceContext) => Promise<Service>;
