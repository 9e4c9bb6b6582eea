/**
 * @module /api/insights: the series, the flagged anomalies with their drill-down, and the insights
 * settings (admin key; with a session, reading is a viewer's and the settings an admin's, by
 * src/users/roles.ts). Times are epoch ms or ISO 8601; a range is bounded so a request cannot ask
 * for a million hourly buckets.
 */
import { z } from 'zod';
import type { RouteModule } from '../api/deps.js';
import { requireKey, workspaceOf } from '../api/auth.js';
import { errorResponses, idParams, timeParam } from '../api/schemas.js';
import { NotFoundError, ValidationError } from '../core/errors.js';
import { findAnomaly, listAnomalies } from './anomalies.js';
import { DAY_MS, DEFAULT_DETECTION, METRICS, type MetricName } from './detect.js';
import { explain } from './drill-down.js';
import { SERIES_DIMENSIONS, series } from './series.js';
import { insightSettingsSchema, loadInsightSettings, saveInsightSettings } from './settings.js';

const HOUR_MS = 3_600_000;
/** The longest range per bucket size: 31 days of hours (744 buckets), 2 years of days. */
const MAX_RANGE_MS = { hour: 31 * DAY_MS, day: 731 * DAY_MS } as const;

const seriesQuery = z.object({
  bucket: z.enum(['hour', 'day']).default('day'),
  by: z.enum(SERIES_DIMENSIONS).default('workspace').describe('one series per journey, broadcast, template, channel or provider; or the workspace'),
  key: z.string().min(1).max(200).optional().describe('only this journey, broadcast, template, channel or provider'),
  from: timeParam.optional().describe('start (inclusive); default 28 days (hour buckets: 2 days) before `to`'),
  to: timeParam.optional().describe('end (exclusive); default now'),
});

const counts = {
  sends: z.number(),
  deliveries: z.number(),
  humanOpens: z.number(),
  clicks: z.number(),
  bounces: z.number(),
  hardBounces: z.number(),
  complaints: z.number(),
  unsubscribes: z.number().nullable().describe('null where the dimension cannot know it (journeys, templates, broadcasts, providers)'),
  conversions: z.number().nullable().describe('the workspace: conversion events; a journey: runs that reached its goal; else null'),
  revenue: z.number().nullable(),
};
const seriesBody = z.object({
  bucket: z.enum(['hour', 'day']),
  by: z.enum(SERIES_DIMENSIONS),
  from: z.number(),
  to: z.number(),
  points: z.array(z.object({ bucket: z.number().describe('start of the UTC bucket, epoch ms'), key: z.string(), ...counts })),
});

const drillValue = z.object({ value: z.string(), observed: z.number(), expected: z.number(), ratio: z.number().nullable(), share: z.number(), volumeShare: z.number() });
const explanation = z.object({
  summary: z.string(),
  observed: z.number(),
  expected: z.number(),
  dimensions: z.array(z.object({ dimension: z.string(), values: z.array(drillValue) })),
});
const anomalyBody = z.object({
  id: z.string(),
  metric: z.string(),
  scope: z.object({ kind: z.enum(['workspace', 'channel', 'journey']), id: z.string() }),
  direction: z.enum(['up', 'down']),
  bucketMs: z.number(),
  startedAt: z.number(),
  lastSeenAt: z.number(),
  observed: z.number(),
  expected: z.number(),
  score: z.number(),
  volume: z.number(),
  status: z.enum(['open', 'resolved']),
  alertedAt: z.number().nullable(),
  explanation,
});

const listQuery = z.object({
  status: z.enum(['open', 'resolved']).optional(),
  from: timeParam.optional(),
  to: timeParam.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

export const insightsRoutes: RouteModule = (app, deps) => {
  const admin = requireKey(deps, 'admin');
  const tags = ['insights'];

  app.get(
    '/api/insights/series',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Hourly or daily sends, deliveries, human opens, clicks, bounces, complaints, unsubscribes, conversions and revenue',
        querystring: seriesQuery,
        response: { 200: seriesBody, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const to = q.to ?? Math.ceil(deps.clock.now() / HOUR_MS) * HOUR_MS;
      const from = q.from ?? to - (q.bucket === 'hour' ? 2 * DAY_MS : 28 * DAY_MS);
      if (from >= to) throw ValidationError.at('from', 'must be before to');
      if (to - from > MAX_RANGE_MS[q.bucket]) throw ValidationError.at('from', `the range of ${q.bucket} buckets is at most ${MAX_RANGE_MS[q.bucket] / DAY_MS} days`);
      const conversionEvent = (await loadInsightSettings(deps.store.db, workspaceOf(request))).conversionEvent;
      const points = await series(deps.store, { workspaceId: workspaceOf(request), bucket: q.bucket, by: q.by, key: q.key, from, to, conversionEvent });
      return { bucket: q.bucket, by: q.by, from, to, points };
    },
  );

  app.get(
    '/api/insights/anomalies',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: 'Flagged anomalies (incidents), latest first, each with its drill-down',
        querystring: listQuery,
        response: { 200: z.object({ data: z.array(anomalyBody) }), ...errorResponses },
      },
    },
    async (request) => ({ data: await listAnomalies(deps.store.db, workspaceOf(request), request.query) }),
  );

  app.get(
    '/api/insights/anomalies/:id',
    { onRequest: admin, schema: { tags, summary: 'One anomaly and the drill-down of its first day', params: idParams, response: { 200: anomalyBody, ...errorResponses } } },
    async (request) => {
      const a = await findAnomaly(deps.store.db, workspaceOf(request), request.params.id);
      if (!a) throw new NotFoundError('anomaly', request.params.id);
      return a;
    },
  );

  app.get(
    '/api/insights/anomalies/:id/drill-down',
    {
      onRequest: admin,
      schema: {
        tags,
        summary: "An anomaly's drill-down recomputed for one of its buckets (default: the last it was seen in)",
        params: idParams,
        querystring: z.object({ bucket: timeParam.optional().describe('a bucket start between startedAt and lastSeenAt') }),
        response: { 200: explanation, ...errorResponses },
      },
    },
    async (request) => {
      const ws = workspaceOf(request);
      const a = await findAnomaly(deps.store.db, ws, request.params.id);
      if (!a) throw new NotFoundError('anomaly', request.params.id);
      const bucket = request.query.bucket ?? a.lastSeenAt;
      if (bucket < a.startedAt || bucket > a.lastSeenAt || (bucket - a.startedAt) % a.bucketMs !== 0)
        throw ValidationError.at('bucket', `must be the start of a bucket between ${a.startedAt} and ${a.lastSeenAt} (every ${a.bucketMs} ms)`);
      const metric = a.metric in METRICS ? (a.metric as MetricName) : null;
      if (!metric) throw new NotFoundError('anomaly metric', a.metric);
      return explain(deps.store, {
        workspaceId: ws,
        scope: a.scope,
        finding: { metric, direction: a.direction, bucket, observed: a.observed, expected: a.expected, score: a.score, volume: a.volume },
        bucketMs: a.bucketMs,
        seasonMs: DEFAULT_DETECTION.seasonMs,
        seasons: DEFAULT_DETECTION.seasons,
      });
    },
  );

  app.get(
    '/api/insights/settings',
    { onRequest: admin, schema: { tags, summary: 'Conversion event and where anomaly alerts go', response: { 200: insightSettingsSchema, ...errorResponses } } },
    async (request) => loadInsightSettings(deps.store.db, workspaceOf(request)),
  );

  app.put(
    '/api/insights/settings',
    { onRequest: admin, schema: { tags, summary: 'Set the conversion event and where anomaly alerts go', body: insightSettingsSchema, response: { 200: insightSettingsSchema, ...errorResponses } } },
    async (request) => saveInsightSettings(deps.store.db, deps.clock, workspaceOf(request), request.body),
  );
};
