/**
 * @module /api/journeys/:id/stats, /api/journeys/:id/funnel, /api/templates/:id/stats,
 * /api/broadcasts/:id/stats, /api/stats/overview and /api/stats/settings (admin key). Every stats
 * route answers JSON, or CSV with `?format=csv`. Times: `from` / `to` as epoch ms or ISO 8601.
 */
import { z } from 'zod';
import type { FastifyReply } from 'fastify';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses, idParams } from '../api/schemas.js';
import { statsCsv } from './csv.js';
import { journeyFigures } from './journey-figures.js';
import { workspaceOverview } from './overview.js';
import { broadcastStats, journeyFunnel, journeyStats, overviewStats, templateStats, type ScopeStats, type StatsQuery } from './stats.js';
import { isDefaultQuery, journeyStatsCached } from './snapshots.js';
import { loadStatsSettings, saveStatsSettings, statsSettingsSchema } from './settings.js';

const time = z
  .union([z.coerce.number().int().nonnegative(), z.iso.datetime({ offset: true })])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)))
  .optional();

const statsQuery = z.object({
  from: time.describe('start of the range (inclusive): epoch ms or ISO 8601'),
  to: time.describe('end of the range (exclusive)'),
  bucket: z.enum(['hour', 'day', 'week']).optional().describe('also return a time series in UTC buckets (weeks start on Monday)'),
  clickWindowMs: z.coerce.number().int().positive().optional().describe('attribution window after a click (default: workspace setting, 5 days)'),
  openWindowMs: z.coerce.number().int().positive().optional().describe('attribution window after a human open (default: workspace setting, 1 day)'),
  minSample: z.coerce.number().int().positive().optional().describe('runs per variant before P(best) is given (default 100)'),
  format: z.enum(['json', 'csv']).default('json'),
  fresh: z.enum(['true', 'false']).default('false').describe('compute now instead of answering from the snapshot (journeys, default query only)'),
});

type Q = z.infer<typeof statsQuery>;
const toQuery = (q: Q): StatsQuery => ({ from: q.from, to: q.to, bucket: q.bucket, clickWindowMs: q.clickWindowMs, openWindowMs: q.openWindowMs, minSample: q.minSample });

// The figures are a large, documented structure (docs/stats.md); a loose schema keeps OpenAPI honest
// about the shape without repeating it field by field.
const statsBody = z.record(z.string(), z.unknown());

function send(reply: FastifyReply, format: 'json' | 'csv', s: ScopeStats, name: string) {
  if (format === 'csv') return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(statsCsv(s));
  return reply.send(s);
}

export const statsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['stats'];
  const schema = (summary: string) => ({ tags, summary, params: idParams, querystring: statsQuery, response: { 200: statsBody, ...errorResponses } });

  app.get(
    '/api/journeys/:id/stats',
    { onRequest: admin, schema: schema("A journey's runs, messages, revenue and A/B results (the default query from a snapshot at most 5 minutes old; see computedAt)") },
    async (request, reply) => {
      const q = toQuery(request.query);
      const ws = workspaceOf(request);
      const s = isDefaultQuery(q)
        ? await journeyStatsCached(deps, ws, request.params.id, { fresh: request.query.fresh === 'true' })
        : { ...(await journeyStats(deps, ws, request.params.id, q)), computedAt: deps.clock.now(), fromSnapshot: false };
      return send(reply, request.query.format, s, `journey-${request.params.id}`);
    },
  );

  app.get(
    '/api/journeys/:id/funnel',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'How many runs reached each node and took each outcome',
        params: idParams,
        querystring: statsQuery.pick({ from: true, to: true }),
        response: { 200: statsBody, ...errorResponses },
      },
    },
    async (request) => journeyFunnel(deps, workspaceOf(request), request.params.id, { from: request.query.from, to: request.query.to }),
  );

  app.get('/api/templates/:id/stats', { onRequest: admin, schema: schema("A template's messages and attributed revenue") }, async (request, reply) =>
    send(reply, request.query.format, await templateStats(deps, workspaceOf(request), request.params.id, toQuery(request.query)), `template-${request.params.id}`),
  );

  app.get('/api/broadcasts/:id/stats', { onRequest: admin, schema: schema('A broadcast\'s messages (idempotency keys starting "broadcast:<id>:")') }, async (request, reply) =>
    send(reply, request.query.format, await broadcastStats(deps, workspaceOf(request), request.params.id, toQuery(request.query)), `broadcast-${request.params.id}`),
  );

  app.get(
    '/api/stats/overview',
    { onRequest: admin, schema: { tags, summary: "The workspace's messages and attributed revenue", querystring: statsQuery, response: { 200: statsBody, ...errorResponses } } },
    async (request, reply) => send(reply, request.query.format, await overviewStats(deps, workspaceOf(request), toQuery(request.query)), 'overview'),
  );

  app.get(
    '/api/stats/workspace',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'The analytics overview in one answer: the range per day, channel and template, the previous period of equal length, and revenue per currency from events',
        querystring: z.object({ from: time.describe('start (inclusive): epoch ms or ISO 8601'), to: time.describe('end (exclusive)') }).refine((q) => q.from !== undefined && q.to !== undefined, {
          message: 'give from and to',
          path: ['from'],
        }),
        response: { 200: statsBody, ...errorResponses },
      },
    },
    async (request) => ({ ...(await workspaceOverview(deps, workspaceOf(request), { from: request.query.from!, to: request.query.to! })) }),
  );

  app.get(
    '/api/stats/journeys',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Runs in each journey now (active and waiting), for every journey of the workspace in one answer; journeys without any are left out',
        response: { 200: z.object({ data: z.array(z.object({ journeyId: z.string(), active: z.number().int(), waiting: z.number().int() })) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await journeyFigures(deps, workspaceOf(request)) }),
  );

  app.get(
    '/api/stats/settings',
    { onRequest: admin, schema: { tags, summary: 'Cost per message per channel and attribution windows', response: { 200: statsSettingsSchema, ...errorResponses } } },
    async (request) => loadStatsSettings(deps.store.db, workspaceOf(request)),
  );

  app.put(
    '/api/stats/settings',
    {
      onRequest: admin,
      schema: { tags, summary: 'Set the cost per message per channel and attribution windows', body: statsSettingsSchema, response: { 200: statsSettingsSchema, ...errorResponses } },
    },
    async (request) => saveStatsSettings(deps.store, workspaceOf(request), request.body),
  );
};
