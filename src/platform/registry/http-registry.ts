import { type FieldMapping, identityFrom, valueAt } from './fields.js';
import type { Identity, IdentityRegistry } from './identity.js';

export interface HttpRegistryOptions {
  /** The entity's search endpoint, e.g. `https://registry.example/api/v1/Member/search`. */
  searchUrl: string;
  /** Identity field → attribute (dotted path) of the returned entity; `individualId` is the filter. */
  fields: FieldMapping;
  timeoutMs: number;
  /** Sent as the Authorization header (e.g. `Bearer …`) when set. */
  authorization?: string;
}

/** Failures of the registry service itself (not "no match"): unreachable, timeout, bad answer. */
export class RegistryUnavailableError extends Error {
  constructor(reason: string) {
    super(`identity registry unavailable: ${reason}`);
    this.name = 'RegistryUnavailableError';
  }
}

/** Sunbird RC answers a search with an array, or (some versions) with `{ result: [...] }`. */
function entitiesOf(body: unknown): unknown[] | undefined {
  if (Array.isArray(body)) return body;
  if (typeof body === 'object' && body !== null) {
    const wrapped = (body as Record<string, unknown>).result ?? (body as Record<string, unknown>).data;
    if (Array.isArray(wrapped)) return wrapped;
  }
  return undefined;
}

/**
 * A registry behind an HTTP search API in the style of Sunbird RC:
 * `POST {searchUrl}` with `{"filters": {"<id attribute>": {"eq": "<id>"}}, "limit": 2}`. Exactly one
 * entity is a match; none or several are no match (several cannot be told apart). A timeout, a
 * non-2xx status or a body that is not a list throws `RegistryUnavailableError`, whose message carries
 * no request data (the id is personal data).
 */
export class HttpIdentityRegistry implements IdentityRegistry {
  private readonly idAttribute: string;

  constructor(private readonly options: HttpRegistryOptions) {
    const idAttribute = options.fields.individualId;
    if (!idAttribute) throw new Error('registry: http.fields.individualId is required');
    this.idAttribute = idAttribute;
  }

  async findByIndividualId(individualId: string): Promise<Identity | undefined> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.options.authorization) headers.authorization = this.options.authorization;
    let response: Response;
    let body: unknown;
    try {
      response = await fetch(this.options.searchUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify({ filters: { [this.idAttribute]: { eq: individualId } }, limit: 2, offset: 0 }),
        signal: AbortSignal.timeout(this.options.timeoutMs),
        redirect: 'error',
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new RegistryUnavailableError(`status ${response.status}`);
      }
      body = await response.json();
    } catch (error) {
      if (error instanceof RegistryUnavailableError) throw error;
      const name = (error as Error).name;
      throw new RegistryUnavailableError(name === 'TimeoutError' ? 'timeout' : name);
    }
    const entities = entitiesOf(body);
    if (!entities) throw new RegistryUnavailableError('the search answer is not a list');
    // Filters are the registry's business, but only an entity that really has this id counts.
    const matching = entities.filter((e) => valueAt(e, this.idAttribute) === individualId);
    if (matching.length !== 1) return undefined;
    return identityFrom((path) => valueAt(matching[0], path), this.options.fields);
  }

  async close(): Promise<void> {}
}
