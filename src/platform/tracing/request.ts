import { trace } from '@opentelemetry/api';

/** W3C Trace Context §3.2: version-traceid-parentid-flags, lowercase hex. */
const TRACEPARENT = /^[\da-f]{2}-([\da-f]{32})-[\da-f]{16}-[\da-f]{2}$/;

/**
 * The trace id of the request being handled: the recording span's when tracing is on, else the
 * one the caller sent in `traceparent` (so logs correlate with a proxy's traces even when ours
 * are off). Undefined when there is neither.
 */
export function requestTraceId(traceparent: string | string[] | undefined): string | undefined {
  const span = trace.getActiveSpan();
  if (span?.isRecording()) return span.spanContext().traceId;
  if (typeof traceparent !== 'string') return undefined;
  const id = TRACEPARENT.exec(traceparent)?.[1];
  return id && id !== '0'.repeat(32) ? id : undefined;
}

/**
 * Names the HTTP server span after the route template (`POST /credential`) and says which
 * service answered: in the all-in-one process the three services share one OpenTelemetry resource.
 */
export function annotateServerSpan(service: string, method: string, route: string): void {
  const span = trace.getActiveSpan();
  if (!span?.isRecording()) return;
  span.updateName(`${method} ${route}`);
  span.setAttribute('http.route', route);
  span.setAttribute('attesta.service', service);
}
