/**
 * @module Operational endpoints: health and Prometheus metrics (no API key needed); the metrics
 * include the work backlog read from the database at scrape time (../metrics/backlog.ts). With
 * QATRA_METRICS_TOKEN, /metrics needs `Authorization: Bearer TOKEN`; with QATRA_METRICS_PORT it is
 * served on that port instead (src/server/start.ts) and not here.
 */
import { z } from 'zod';
import type { RouteModule } from './deps.js';
import { registerBacklogGauges } from '../metrics/backlog.js';
import { metricsAuthorized } from '../metrics/token.js';
import { AuthError } from '../core/errors.js';

export const systemRoutes: RouteModule = (app, deps) => {
  app.get(
    '/healthz',
    {
      schema: {
        tags: ['system'],
        summary: 'Health: 200 when the database answers, 503 otherwise',
        response: { 200: z.object({ status: z.literal('ok'), database: z.string() }), 503: z.object({ status: z.literal('unavailable'), database: z.string() }) },
      },
    },
    async (_request, reply) => {
      const ok = await deps.store.ping();
      if (ok) return reply.send({ status: 'ok' as const, database: deps.store.adapter.name });
      return reply.status(503).send({ status: 'unavailable' as const, database: deps.store.adapter.name });
    },
  );
  if (deps.config.metricsPort !== undefined) return;
  const refreshBacklog = registerBacklogGauges(deps.metrics, deps.store, deps.clock);
  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics', hide: true } }, async (request, reply) => {
    if (!metricsAuthorized(request.headers.authorization, deps.config.metricsToken)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      throw new AuthError('/metrics needs Authorization: Bearer with the QATRA_METRICS_TOKEN');
    }
    // A database that does not answer must not cost the process metrics: the gauges keep their last values.
    await refreshBacklog().catch((err: unknown) => deps.log.warn({ err }, 'metrics: backlog not read'));
    reply.header('content-type', deps.metrics.registry.contentType);
    return reply.send(await deps.metrics.registry.metrics());
  });
};
