/**
 * @module The HTTP endpoint of a `qatra worker` process (QATRA_WORKER_METRICS_PORT): `/metrics` with
 * this process's own counters (qatra_worker_items_total, tick durations and failures, Node's
 * defaults) and `/healthz` (200 when the database answers). A worker has no API server, so without
 * this its counters could not be scraped. The backlog gauges are left to the API's /metrics: they
 * are read from the database and are the same for every process, so N workers would report them N
 * times and cost N queries per scrape.
 *
 * `qatra start` uses the same server for the API's metrics when QATRA_METRICS_PORT is set (then the
 * API port serves no /metrics), passing the backlog refresh as `beforeScrape`. With
 * QATRA_METRICS_TOKEN set, /metrics answers 401 without `Authorization: Bearer TOKEN`.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics.js';
import type { Store } from '../store/store.js';
import { metricsAuthorized } from './token.js';

export interface MetricsServerOptions {
  /** Required bearer token of /metrics; undefined: none. */
  token?: string | undefined;
  /** Runs before each scrape (the API's backlog gauges); it should catch its own failures (else 500). */
  beforeScrape?: () => Promise<void>;
}

export interface MetricsServer {
  port: number;
  close(): Promise<void>;
}

export async function serveWorkerMetrics(deps: { metrics: Metrics; store: Store }, port: number, host: string, options: MetricsServerOptions = {}): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const send = (status: number, type: string, body: string, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': type, ...headers });
      res.end(body);
    };
    const url = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') return send(405, 'text/plain', 'method not allowed\n');
    if (url === '/metrics') {
      if (!metricsAuthorized(req.headers.authorization, options.token)) return send(401, 'text/plain', 'a bearer token is required\n', { 'www-authenticate': 'Bearer realm="metrics"' });
      (options.beforeScrape ?? (async () => {}))()
        .then(() => deps.metrics.registry.metrics())
        .then(
          (body) => send(200, deps.metrics.registry.contentType, body),
          (err: Error) => send(500, 'text/plain', `${err.message}\n`),
        );
      return;
    }
    if (url === '/healthz') {
      deps.store.ping().then((ok) => send(ok ? 200 : 503, 'application/json', JSON.stringify({ status: ok ? 'ok' : 'unavailable', database: deps.store.adapter.name })));
      return;
    }
    send(404, 'text/plain', 'not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
