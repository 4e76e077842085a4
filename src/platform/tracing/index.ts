export { type ObservedDatabase, observedDialect } from './database.js';
export { annotateServerSpan, requestTraceId } from './request.js';
export { startTracing, type Tracing, type TracingOptions } from './start.js';
