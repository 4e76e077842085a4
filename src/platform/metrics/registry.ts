import { collectDefaultMetrics, Registry } from 'prom-client';

/**
 * The one Prometheus registry of the process. In the all-in-one start the three services share it
 * (every Attesta metric carries a `service` label); run alone, a process holds only its own.
 * Default metrics include process CPU and memory, GC, and event-loop lag
 * (`nodejs_eventloop_lag_seconds`, and percentiles from `monitorEventLoopDelay`).
 */
export const metricsRegistry = new Registry();

collectDefaultMetrics({ register: metricsRegistry, eventLoopMonitoringPrecision: 20 });
