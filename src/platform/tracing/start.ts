import { trace } from '@opentelemetry/api';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';
import { RedactingSpanProcessor } from './redact.js';
import { setActiveTracer } from './state.js';

export interface TracingOptions {
  /** OTLP/HTTP traces URL; empty: off (unless `spanProcessors` is given). */
  otlpEndpoint: string;
  /** Share of new root traces recorded. */
  sampleRatio: number;
  /** `service.name` of the process (`attesta` for the all-in-one, `attesta-issuer`, …). */
  serviceName: string;
  /** Replaces the OTLP exporter (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

export interface Tracing {
  /** Flushes what is buffered and stops recording. */
  shutdown(): Promise<void>;
}

/** Requests no trace needs: probes and scrapes would drown the real ones. */
const UNTRACED = /^\/(health(\/|$)|metrics$)/;

/**
 * Starts OpenTelemetry for the process: incoming and outgoing HTTP (node:http server spans,
 * undici for `fetch`), W3C traceparent propagation, database spans at the Kysely seam
 * (./database.ts), export by OTLP/HTTP. Off by default: then none of the SDK is even loaded, and
 * the request path only reads one variable. Call before the services are built, so that the
 * HTTP instrumentation wraps `node:http` before Fastify loads it.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing | undefined> {
  if (!options.otlpEndpoint && !options.spanProcessors) return undefined;
  const [{ NodeSDK }, { HttpInstrumentation }, { UndiciInstrumentation }, sdkTrace] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-http'),
    import('@opentelemetry/instrumentation-undici'),
    import('@opentelemetry/sdk-trace'),
  ]);
  let processors = options.spanProcessors;
  if (!processors) {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    processors = [
      // A queue large enough for bursts (a request is ~20 spans with its SQL); beyond it spans are dropped.
      new sdkTrace.BatchSpanProcessor({
        exporter: new OTLPTraceExporter({ url: options.otlpEndpoint }),
        maxQueueSize: 16_384,
        maxExportBatchSize: 1024,
        scheduledDelayMillis: 2000,
      }),
    ];
  }
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors: [new RedactingSpanProcessor(processors)],
    sampler: new sdkTrace.ParentBasedSampler({
      root: new sdkTrace.TraceIdRatioBasedSampler(options.sampleRatio),
    }),
    // Traces only: metrics are Prometheus (src/platform/metrics), logs are pino on stdout.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      new HttpInstrumentation({
        ignoreIncomingRequestHook: (request) => UNTRACED.test((request.url ?? '').split('?')[0] ?? ''),
        // No header is recorded (tokens, cookies); query strings and paths are redacted (./redact.ts).
        headersToSpanAttributes: { client: { requestHeaders: [] }, server: { requestHeaders: [] } },
      }),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  setActiveTracer(trace.getTracer('attesta'));
  return {
    async shutdown() {
      setActiveTracer(undefined);
      await sdk.shutdown();
    },
  };
}
