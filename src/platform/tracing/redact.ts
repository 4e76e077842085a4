import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';

/** Attributes that may carry codes, tokens, state, ids in paths or a person's address: dropped. */
const DROPPED = ['url.query', 'http.target', 'client.address', 'network.peer.address', 'network.peer.port'];
/** Full URLs keep scheme, host and path; their query string goes. */
const URLS = ['url.full', 'http.url'];

/**
 * Wraps the exporting processors so that no span leaves with a query string (authorization codes,
 * `state`, `request_uri`), a raw request path of ours (credential and interaction ids: the route
 * template replaces it) or the client's address. Runs in `onEnding`, while the span can still change.
 */
export class RedactingSpanProcessor implements SpanProcessor {
  constructor(private readonly processors: SpanProcessor[]) {}

  onStart(span: Span, parentContext: Context): void {
    for (const processor of this.processors) processor.onStart(span, parentContext);
  }

  onEnding(span: Span): void {
    const attributes = span.attributes as Record<string, unknown>;
    for (const key of DROPPED) delete attributes[key];
    for (const key of URLS) {
      const value = attributes[key];
      if (typeof value === 'string') attributes[key] = value.split('?', 1)[0];
    }
    // Our own server spans: the route template (set by the server factory) instead of the path.
    if (typeof attributes['http.route'] === 'string' && 'url.path' in attributes) {
      attributes['url.path'] = attributes['http.route'];
    }
    for (const processor of this.processors) processor.onEnding?.(span);
  }

  onEnd(span: ReadableSpan): void {
    for (const processor of this.processors) processor.onEnd(span);
  }

  async forceFlush(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.forceFlush()));
  }

  async shutdown(): Promise<void> {
    await Promise.all(this.processors.map((p) => p.shutdown()));
  }
}
