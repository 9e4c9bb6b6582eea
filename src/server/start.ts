/**
 * @module `qatra start`: the HTTP API and a worker in one process; `qatra worker`: a worker only.
 * Both stop gracefully on SIGTERM/SIGINT: the API stops accepting, the worker drains its batch.
 */
import type { Config } from '../config/config.js';
import type { AppDeps } from '../core/app-deps.js';
import { buildApp } from '../api/app.js';
import { bootstrap } from '../workspaces/workspaces.js';
import { Worker } from '../worker/worker.js';
import { workerTasks } from '../worker/tasks.js';
import { openRuntime } from './runtime.js';
import { startConfiguredBounceListener } from '../bounces/deps.js';
import { ownerSetupLink } from '../users/owner.js';
import { serveWorkerMetrics } from '../metrics/serve.js';
import { registerBacklogGauges } from '../metrics/backlog.js';
import { publicUrlWarning } from './public-url.js';

export interface Running {
  url?: string;
  stop(): Promise<void>;
}

function onSignals(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`qatra: ${signal} received, stopping…\n`);
    stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGTERM', () => handler('SIGTERM'));
  process.once('SIGINT', () => handler('SIGINT'));
}

/** To the operator reading the start output, and to the log (where production looks). */
function warnAboutPublicUrl(config: Config, deps: { log: { warn(obj: object, msg: string): void } }, out: NodeJS.WritableStream): void {
  const warning = publicUrlWarning(config.publicUrl);
  if (!warning) return;
  out.write(`Warning: ${warning}\n`);
  deps.log.warn({ publicUrl: config.publicUrl }, warning);
}

export async function startServer(config: Config, out: NodeJS.WritableStream = process.stdout): Promise<Running> {
  const deps = await openRuntime(config);
  const boot = await bootstrap(deps);
  // Before listening: once "listening" is printed, nothing may await before the signal handlers are in.
  const setup = await ownerSetupLink(deps, boot.workspaceId, config.publicUrl);
  const app = await buildApp(deps);
  const worker = new Worker(workerTasks(deps), { ...config.worker, log: deps.log });
  await app.listen({ port: config.port, host: config.host });
  worker.start();
  const bounces = await startConfiguredBounceListener(deps);
  const metrics = config.metricsPort === undefined ? undefined : await serveApiMetrics(deps, config.metricsPort);
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://localhost:${port}`;
  out.write(`Qatra is listening on ${url} (API docs: ${url}/api/docs)\n`);
  if (metrics) out.write(`Metrics on http://localhost:${metrics.port}/metrics\n`);
  out.write(`Database: ${deps.store.adapter.name} at ${deps.store.location}\n`);
  if (deps.store.adapter.embedded) out.write(`Data directory: ${config.dataDir}\n`);
  if (deps.migrations.length) out.write(`Applied migrations: ${deps.migrations.join(', ')}\n`);
  warnAboutPublicUrl(config, deps, out);
  if (boot.created && boot.adminKey && boot.writeKey) {
    out.write('\nFirst start: created the default workspace. These keys are shown only now; keep them safe.\n');
    out.write(`  admin API key: ${boot.adminKey.secret}\n`);
    out.write(`  write key:     ${boot.writeKey.secret}\n\n`);
  }
  if (setup) {
    out.write('Web app: no one has claimed this workspace yet. Open this one-time link (valid 7 days) to create the owner account:\n');
    out.write(`  ${setup}\n\n`);
  }
  const stop = async () => {
    await app.close();
    await metrics?.close();
    await bounces.close();
    await worker.stop();
    await deps.store.close();
  };
  onSignals(stop);
  return { url, stop };
}

/** The API's /metrics (with the backlog gauges) on a port of its own (QATRA_METRICS_PORT). */
function serveApiMetrics(deps: AppDeps, port: number) {
  const refresh = registerBacklogGauges(deps.metrics, deps.store, deps.clock);
  const beforeScrape = () => refresh().catch((err: unknown) => deps.log.warn({ err }, 'metrics: backlog not read'));
  return serveWorkerMetrics(deps, port, deps.config.host, { token: deps.config.metricsToken, beforeScrape });
}

export async function startWorker(config: Config, out: NodeJS.WritableStream = process.stdout): Promise<Running> {
  const deps = await openRuntime(config);
  const worker = new Worker(workerTasks(deps), { ...config.worker, log: deps.log });
  worker.start();
  out.write(`Qatra worker running on ${deps.store.adapter.name} at ${deps.store.location}\n`);
  warnAboutPublicUrl(config, deps, out);
  const metrics = config.workerMetricsPort === undefined ? undefined : await serveWorkerMetrics(deps, config.workerMetricsPort, config.host, { token: config.metricsToken });
  if (metrics) out.write(`Worker metrics on http://localhost:${metrics.port}/metrics\n`);
  const stop = async () => {
    await metrics?.close();
    await worker.stop();
    await deps.store.close();
  };
  onSignals(stop);
  return { stop };
}
