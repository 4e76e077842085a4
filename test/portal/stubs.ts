import { rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MasterKey } from '../../src/platform/keys/index.js';
import type { IdentityRegistry } from '../../src/platform/registry/index.js';
import type { Service } from '../../src/platform/service.js';
import { createPortalService } from '../../src/portal/service.js';
import { testConfig } from '../helpers/system.js';

export interface StubRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: string;
}

export interface StubResponse {
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
  text?: string;
}

export type StubHandler = (request: StubRequest) => StubResponse | Promise<StubResponse>;

/** A loopback HTTP server answering from a table of `METHOD /path` handlers; it records requests. */
export class Stub {
  readonly routes = new Map<string, StubHandler>();
  readonly requests: StubRequest[] = [];
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Stub> {
    let stub: Stub | undefined;
    const server = createServer(async (req, res) => {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const url = new URL(req.url ?? '/', 'http://stub');
      const request: StubRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      stub?.requests.push(request);
      const handler = stub?.routes.get(`${request.method} ${request.path}`);
      const answer: StubResponse = handler ? await handler(request) : { status: 404, json: { error: 'nf' } };
      const body = answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? '');
      res.writeHead(answer.status ?? 200, {
        ...(answer.json !== undefined ? { 'content-type': 'application/json' } : {}),
        ...answer.headers,
      });
      res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    stub = new Stub(server, `http://localhost:${(server.address() as AddressInfo).port}`);
    return stub;
  }

  on(route: string, handler: StubHandler | StubResponse): this {
    this.routes.set(route, typeof handler === 'function' ? handler : () => handler);
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Metadata of a stub issuer at `issuer` whose authorization server is `as`. */
export function issuerMetadata(issuer: string, as: string): Record<string, unknown> {
  return {
    credential_issuer: issuer,
    authorization_servers: [as],
    credential_endpoint: `${issuer}/credential`,
    nonce_endpoint: `${issuer}/nonce`,
    display: [{ name: 'Stub Issuer', locale: 'en' }],
    credential_configurations_supported: {
      national_id_sd_jwt: {
        format: 'dc+sd-jwt',
        scope: 'national_id',
        vct: `${issuer}/national_id`,
        proof_types_supported: { jwt: { proof_signing_alg_values_supported: ['ES256'] } },
        credential_metadata: {
          display: [
            { name: 'Carte nationale', locale: 'fr' },
            { name: 'National ID', locale: 'en', description: 'Your national identity card' },
          ],
          claims: [
            { path: ['given_name'], display: [{ name: 'Given name', locale: 'en' }] },
            { path: ['family_name'], display: [{ name: 'Family name', locale: 'en' }] },
            { path: ['address', 'locality'], display: [{ name: 'Town', locale: 'en' }] },
          ],
        },
      },
      draft13_card: {
        format: 'vc+sd-jwt',
        scope: 'draft13',
        display: [{ name: 'Draft 13 card', description: 'Shaped like draft 13' }],
        claims: { given_name: { display: [{ name: 'First name' }] } },
      },
      no_scope_mdoc: { format: 'mso_mdoc', credential_metadata: { display: [{ name: 'Mobile licence' }] } },
    },
  };
}

/** Authorization server metadata of a stub at `as`. */
export function asMetadata(as: string): Record<string, unknown> {
  return {
    issuer: as,
    authorization_endpoint: `${as}/auth`,
    token_endpoint: `${as}/token`,
    jwks_uri: `${as}/jwks`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: ['private_key_jwt'],
    id_token_signing_alg_values_supported: ['ES256'],
    authorization_response_iss_parameter_supported: true,
  };
}

export interface TestPortal {
  service: Service;
  url: string;
  stop(): Promise<void>;
}

/** The portal alone, listening on a free port, pointed at `issuerUrl`. */
export async function startPortal(
  issuerUrl: string,
  shared: { database?: string; sessionSecret?: string; issuers?: string[] } = {},
): Promise<TestPortal> {
  const { config, dataDir } = await testConfig();
  config.portal.issuerUrl = issuerUrl;
  if (shared.issuers) config.portal.issuers = shared.issuers;
  if (shared.database) config.portal.database = shared.database;
  if (shared.sessionSecret) config.portal.sessionSecret = shared.sessionSecret;
  const service = await createPortalService({
    config,
    masterKey: new MasterKey(Buffer.alloc(32, 3)),
    registry: {} as IdentityRegistry,
  });
  await service.app.listen({ host: config.portal.host, port: config.portal.port });
  return {
    service,
    url: config.portal.publicUrl,
    async stop() {
      await service.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A cookie jar good enough for one origin: remembers `name=value` from Set-Cookie. */
export class CookieJar {
  private readonly cookies = new Map<string, string>();
  readonly raw: string[] = [];

  store(response: Response): void {
    for (const line of response.headers.getSetCookie()) {
      this.raw.push(line);
      const [pair] = line.split(';');
      const eq = pair?.indexOf('=') ?? -1;
      if (pair && eq > 0) this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
  }

  header(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', this.header());
    const response = await fetch(url, { ...init, headers, redirect: 'manual' });
    this.store(response);
    return response;
  }
}
