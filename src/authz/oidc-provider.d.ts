/**
 * The part of oidc-provider 9 that authz uses, typed by hand: the package ships no declarations and
 * @types/oidc-provider lags behind. Kept narrow on purpose; widen it only where the code needs it.
 */
declare module 'oidc-provider' {
  import type { IncomingMessage, ServerResponse } from 'node:http';

  export interface AdapterPayload {
    [key: string]: unknown;
    grantId?: string;
    userCode?: string;
    uid?: string;
    consumed?: number;
    jti?: string;
    kind?: string;
  }

  export interface Adapter {
    upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void>;
    find(id: string): Promise<AdapterPayload | undefined>;
    findByUserCode(userCode: string): Promise<AdapterPayload | undefined>;
    findByUid(uid: string): Promise<AdapterPayload | undefined>;
    consume(id: string): Promise<void>;
    destroy(id: string): Promise<void>;
    revokeByGrantId(grantId: string): Promise<void>;
  }

  export interface ClientLike {
    clientId: string;
    scope?: string;
    clientName?: string;
    /** Extra metadata from the client record (clients/record.ts); oidc-provider keeps its snake_case. */
    attesta_scope?: string;
    attesta_acr_values?: string[];
    attesta_client_names?: Record<string, string>;
    dpopBoundAccessTokens?: boolean;
    grantTypeAllowed?(type: string): boolean;
  }

  export interface OidcContext {
    params?: Record<string, unknown>;
    client?: ClientLike;
    result?: { login?: unknown; consent?: unknown } & Record<string, unknown>;
    route?: string;
  }

  /** Koa context with the provider's `oidc` property. */
  export interface KoaContextWithOIDC {
    oidc: OidcContext;
    type: string;
    body: unknown;
    status: number;
  }

  export interface Interaction {
    uid: string;
    jti: string;
    exp: number;
    returnTo: string;
    params: Record<string, unknown>;
    prompt: { name: string; reasons: string[]; details: Record<string, unknown> };
    session?: { accountId?: string; uid?: string };
    grantId?: string;
    lastSubmission?: Record<string, unknown>;
    result?: InteractionResult;
    /** Stores the interaction for `ttl` seconds (BaseModel#save). */
    save(ttl: number): Promise<string>;
  }

  export class Grant {
    constructor(properties: { accountId: string; clientId: string });
    static find(id: string): Promise<Grant | undefined>;
    jti?: string;
    addOIDCScope(scope: string): void;
    addOIDCClaims(claims: string[]): void;
    addResourceScope(resource: string, scope: string): void;
    save(): Promise<string>;
  }

  export interface InteractionResult {
    [key: string]: unknown;
    login?: { accountId: string; amr?: string[]; acr?: string; remember?: boolean };
    consent?: { grantId?: string };
    error?: string;
    error_description?: string;
  }

  /**
   * A signing key the provider does not hold (features.externalSigningSupport, experimental-01):
   * it signs JWS signing input through `sign` and reads the public key from `keyObject`.
   */
  export class ExternalSigningKey {
    kid: string;
    alg: string;
    keyObject(): import('node:crypto').KeyObject;
    sign(data: Buffer): Promise<Buffer>;
  }

  export class Provider {
    constructor(issuer: string, configuration: Record<string, unknown>);
    readonly issuer: string;
    proxy: boolean;
    Grant: typeof Grant;
    /** Replay detection of jtis; `unique` is replaced by storage/adapter.ts (replayOnce). */
    ReplayDetection: { unique(iss: string, jti: string, exp: number): Promise<boolean> };
    callback(): (req: IncomingMessage, res: ServerResponse) => Promise<void>;
    interactionDetails(req: IncomingMessage, res: ServerResponse): Promise<Interaction>;
    interactionResult(
      req: IncomingMessage,
      res: ServerResponse,
      result: InteractionResult,
      options?: { mergeWithLastSubmission?: boolean },
    ): Promise<string>;
    on(event: string, listener: (...args: unknown[]) => void): this;
    use(middleware: (ctx: KoaContextWithOIDC, next: () => Promise<void>) => Promise<void>): this;
    eventNames(): (string | symbol)[];
    listeners(event: string | symbol): ((...args: unknown[]) => void)[];
  }

  class OIDCProviderError extends Error {
    constructor(description?: string);
    error: string;
    error_description?: string;
    status: number;
    statusCode: number;
    expose: boolean;
  }

  export namespace errors {
    export { OIDCProviderError };
    export class InvalidTarget extends OIDCProviderError {}
    export class InvalidGrant extends OIDCProviderError {}
    export class InvalidRequest extends OIDCProviderError {}
    export class InvalidRequestUri extends OIDCProviderError {}
    export class AccessDenied extends OIDCProviderError {}
    export class SessionNotFound extends OIDCProviderError {}
  }

  export namespace interactionPolicy {
    type CheckFn = (ctx: KoaContextWithOIDC) => boolean | Promise<boolean>;
    export class Check {
      static REQUEST_PROMPT: true;
      static NO_NEED_TO_PROMPT: false;
      constructor(reason: string, description: string, check: CheckFn);
      constructor(reason: string, description: string, error: string, check: CheckFn);
    }
    export interface Prompt {
      name: string;
      checks: Check[] & { add(check: Check, index?: number): void };
    }
    export interface Policy extends Array<Prompt> {
      get(name: string): Prompt | undefined;
    }
    export function base(): Policy;
  }

  export default Provider;
}

declare module 'oidc-provider/lib/helpers/als.js' {
  import type { AsyncLocalStorage } from 'node:async_hooks';

  const als: AsyncLocalStorage<unknown>;
  export default als;
}
