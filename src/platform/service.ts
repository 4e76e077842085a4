import type { FastifyInstance } from 'fastify';
import type { Config, ServiceName } from './config/index.js';
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

/** A built service, not yet listening. `close` stops accepting, lets open requests finish, closes its DB. */
export interface Service {
  name: ServiceName;
  app: FastifyInstance;
  close(): Promise<void>;
}

export type ServiceFactory = (context: ServiceContext) => Promise<Service>;
