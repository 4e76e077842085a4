import type { Config } from '../platform/config/index.js';
import { type Step, UpstreamError } from './errors.js';

const TIMEOUT_MS = 10_000;
/** Metadata and credentials are small; anything larger is refused before it is parsed. */
const MAX_BODY_BYTES = 512 * 1024;

/**
 * Plain http is only for development on a local machine; everywhere else an endpoint named by
 * metadata must be https (RFC 9700 §2.6, OpenID4VCI §12.2.4 "MUST use the https scheme").
 */
export function allowsInsecure(config: Config, url: string | URL): boolean {
  return config.mode === 'development' && new URL(url).protocol === 'http:';
}

export function requireSecureUrl(config: Config, url: string, step: Step): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new UpstreamError(step, 'invalid_metadata', 'endpoint is not a URL');
  }
  if (parsed.protocol !== 'https:' && !allowsInsecure(config, parsed)) {
    throw new UpstreamError(step, 'invalid_metadata', `endpoint must be https: ${parsed.origin}`);
  }
  return parsed;
}

export interface HttpResult {
  status: number;
  headers: Headers;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  json: unknown;
  text: string;
}

/** One HTTP exchange with a timeout and a body size cap; network failures become UpstreamError. */
export async function request(
  step: Step,
  url: URL,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method ?? 'GET',
      headers: { accept: 'application/json', ...init.headers },
      body: init.body,
      redirect: 'error',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).name;
    throw new UpstreamError(step, 'unreachable', `${url.origin}${url.pathname}: ${cause}`);
  }
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new UpstreamError(step, 'response_too_large', `${url.pathname}: ${declared} bytes`);
  }
  const text = await response.text();
  if (text.length > MAX_BODY_BYTES) {
    throw new UpstreamError(step, 'response_too_large', `${url.pathname}: ${text.length} bytes`);
  }
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}
