import type { Tracer } from '@opentelemetry/api';

let tracer: Tracer | undefined;

/** Set by `startTracing`; undefined while tracing is off, so instrumented code skips span work. */
export function activeTracer(): Tracer | undefined {
  return tracer;
}

export function setActiveTracer(next: Tracer | undefined): void {
  tracer = next;
}
