/**
 * @module Operational endpoints: health and Prometheus metrics (no key needed); the metrics include
 * the work backlog read from the database at scrape time (../metrics/backlog.ts).
 */
import { z } from 'zod';
import type { RouteModule } from './deps.js';
import { registerBacklogGauges } from '../metrics/backlog.js';

export const systemRoutes: RouteModule = (app, deps) => {
  const refreshBacklog = registerBacklogGauges(deps.metrics, deps.store, deps.clock);
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
      if (ok) return reply.send({ status: 'ok' as const, database: deps.store.dialect });
      return reply.status(503).send({ status: 'unavailable' as const, database: deps.store.dialect });
    },
  );
  app.get('/metrics', { schema: { tags: ['system'], summary: 'Prometheus metrics', hide: true } }, async (_request, reply) => {
    // A database that does not answer must not cost the process metrics: the gauges keep their last values.
    await refreshBacklog().catch((err: unknown) => deps.log.warn({ err }, 'metrics: backlog not read'));
    reply.header('content-type', deps.metrics.registry.contentType);
    return reply.send(await deps.metrics.registry.metrics());
  });
};
