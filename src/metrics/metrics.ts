/**
 * @module Prometheus metrics, in a registry of their own per app instance (no global registry, so
 * tests can build many apps in one process).
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpDuration: Histogram<'method' | 'route'>;
  eventsIngested: Counter<'type'>;
  errors: Counter<'code'>;
  /** Click ids (`qatra_cid`) presented with ingested calls, by outcome (src/browser/click-ids.ts). */
  clickIds: Counter<'outcome'>;
  /** Items a worker task handled (journey runs and inbox rows, segment checks, retries…). */
  workerItems: Counter<'task'>;
  workerTickDuration: Histogram<'task'>;
  workerTickFailures: Counter<'task'>;
  /** Anomaly incidents the insights scan opened (src/insights/), and those open after its last scan. */
  insightAnomalies: Counter<'metric'>;
  insightOpenAnomalies: Gauge<'metric'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'qatra_' });
  return {
    registry,
    httpRequests: new Counter({
      name: 'qatra_http_requests_total',
      help: 'HTTP requests answered, by route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpDuration: new Histogram({
      name: 'qatra_http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames: ['method', 'route'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    eventsIngested: new Counter({
      name: 'qatra_events_ingested_total',
      help: 'Events durably stored through the ingestion API, by Segment call type',
      labelNames: ['type'],
      registers: [registry],
    }),
    clickIds: new Counter({
      name: 'qatra_click_ids_total',
      help: 'Click ids (qatra_cid) presented by the browser snippet, by outcome: verified, malformed, forged, expired',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    errors: new Counter({
      name: 'qatra_errors_total',
      help: 'Requests answered with an error, by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    workerItems: new Counter({
      name: 'qatra_worker_items_total',
      help: "Items handled by this process's worker, by task",
      labelNames: ['task'],
      registers: [registry],
    }),
    workerTickDuration: new Histogram({
      name: 'qatra_worker_tick_duration_seconds',
      help: 'Duration of one worker tick (one claimed batch), by task',
      labelNames: ['task'],
      buckets: [0.001, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    workerTickFailures: new Counter({
      name: 'qatra_worker_tick_failures_total',
      help: 'Worker ticks that threw (database down, bug), by task',
      labelNames: ['task'],
      registers: [registry],
    }),
    insightAnomalies: new Counter({
      name: 'qatra_insight_anomalies_total',
      help: 'Anomalies the insights scan flagged as new incidents (each alerted once), by metric',
      labelNames: ['metric'],
      registers: [registry],
    }),
    insightOpenAnomalies: new Gauge({
      name: 'qatra_insight_open_anomalies',
      help: 'Anomaly incidents still open in all workspaces after the last insights scan, by metric',
      labelNames: ['metric'],
      registers: [registry],
    }),
  };
}
