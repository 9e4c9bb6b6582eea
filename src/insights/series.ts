/**
 * @module Hourly and daily series of a workspace, or of each journey, broadcast, template, channel or
 * provider in it: sends, deliveries, human opens, clicks, bounces (hard among them), complaints,
 * unsubscribes, conversions and revenue per UTC bucket.
 *
 * Computed from the rows each time, like the stats layer (src/stats/), never kept as counters that
 * could drift: one aggregate over the range's `messages` (by send time, through the index
 * messages_workspace_created, migrations/000023.sql), one over `consent_history` for unsubscribes and
 * one over the conversion events or runs. Engagement, bounces and complaints count in the bucket the
 * message was sent in (a cohort by send), so a rate is "of the messages sent that hour/day".
 *
 * What each channel can measure comes from src/stats/channel-measures.ts: a delivery is the provider
 * accepting the message (email, webhook) unless a bounce says otherwise, or a receipt (SMS).
 * Unsubscribes exist for the workspace and per channel only (a consent change names no journey or
 * template); conversions for the workspace (events named the conversion event, revenue their
 * `revenue` property) and per journey (runs that reached the goal, revenue their goal value).
 *
 * `store.dialect` is read (./sql.ts) to cut the broadcast id out of an idempotency key: the position
 * of a character is `instr` on SQLite and `strpos` on PostgreSQL.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Store } from '../store/store.js';
import { channelMeasures } from '../stats/channel-measures.js';
import { bucketSql } from '../stats/scope.js';
import { broadcastIdOf } from './sql.js';
import { revenueValue } from '../retention/delete-events.js';

export type SeriesBucket = 'hour' | 'day';
export const SERIES_DIMENSIONS = ['workspace', 'journey', 'broadcast', 'template', 'channel', 'provider'] as const;
export type SeriesDimension = (typeof SERIES_DIMENSIONS)[number];

export interface SeriesQuery {
  workspaceId: string;
  bucket: SeriesBucket;
  /** Half-open [from, to), epoch ms. */
  from: number;
  to: number;
  by: SeriesDimension;
  /** Only this journey, broadcast, template, channel or provider. */
  key?: string | undefined;
  /** The conversion event's name (default `Order Completed`, the Segment spec's). */
  conversionEvent?: string | undefined;
}

export interface Counts {
  sends: number;
  deliveries: number;
  humanOpens: number;
  clicks: number;
  bounces: number;
  hardBounces: number;
  complaints: number;
  /** null where the dimension cannot know it (see the module comment). */
  unsubscribes: number | null;
  conversions: number | null;
  revenue: number | null;
}

export interface SeriesPoint extends Counts {
  /** Start of the UTC bucket, epoch ms. */
  bucket: number;
  /** The journey, broadcast, template, channel or provider; `''` for the workspace. */
  key: string;
}

export const DEFAULT_CONVERSION_EVENT = 'Order Completed';

const num = (v: unknown) => (v === null || v === undefined ? 0 : Number(v));

function keyExpr(store: Store, by: SeriesDimension): RawBuilder<string | null> {
  switch (by) {
    case 'workspace':
      return sql<string>`''`;
    case 'journey':
      return sql<string | null>`m.journey_id`;
    case 'broadcast':
      return broadcastIdOf(store.dialect, 'm.idempotency_key');
    case 'template':
      return sql<string | null>`m.template_id`;
    case 'channel':
      return sql<string>`m.channel`;
    case 'provider':
      return sql<string | null>`m.provider`;
    default: {
      const never: never = by;
      throw new Error(`unknown dimension ${String(never)}`);
    }
  }
}

const emptyCounts = (by: SeriesDimension): Counts => ({
  sends: 0,
  deliveries: 0,
  humanOpens: 0,
  clicks: 0,
  bounces: 0,
  hardBounces: 0,
  complaints: 0,
  unsubscribes: by === 'workspace' || by === 'channel' ? 0 : null,
  conversions: by === 'workspace' || by === 'journey' ? 0 : null,
  revenue: by === 'workspace' || by === 'journey' ? 0 : null,
});

export async function series(store: Store, q: SeriesQuery): Promise<SeriesPoint[]> {
  const db = store.db;
  const b = bucketSql('m.created_at', q.bucket);
  const key = keyExpr(store, q.by);
  const onlyKey = q.key === undefined ? sql`` : sql`AND ${key} = ${q.key}`;
  const points = new Map<string, SeriesPoint>();
  const at = (bucket: number, k: string) => {
    const id = `${bucket}\u0000${k}`;
    let p = points.get(id);
    if (!p) points.set(id, (p = { bucket, key: k, ...emptyCounts(q.by) }));
    return p;
  };
  const rows = await sql<Record<'bucket' | 'sends' | 'bounces' | 'hard' | 'receipts' | 'opens' | 'clicks' | 'complaints', unknown> & { key: string | null; channel: string }>`
    SELECT ${b} AS bucket, ${key} AS key, m.channel AS channel, COUNT(*) AS sends,
      SUM(CASE WHEN m.status = 'bounced' THEN 1 ELSE 0 END) AS bounces,
      SUM(CASE WHEN m.status = 'bounced' AND substr(m.reason, 1, 4) = 'hard' THEN 1 ELSE 0 END) AS hard,
      SUM(CASE WHEN m.delivery_status = 'delivered' THEN 1 ELSE 0 END) AS receipts,
      COUNT(m.first_opened_at) AS opens, COUNT(m.first_clicked_at) AS clicks, COUNT(m.complained_at) AS complaints
    FROM messages m
    WHERE m.workspace_id = ${q.workspaceId} AND m.created_at >= ${q.from} AND m.created_at < ${q.to}
      AND m.status IN ('sent', 'bounced') ${onlyKey}
    GROUP BY 1, 2, 3`.execute(db);
  for (const r of rows.rows) {
    if (r.key === null) continue;
    const p = at(num(r.bucket), r.key);
    const sends = num(r.sends);
    const bounces = num(r.bounces);
    p.sends += sends;
    p.bounces += bounces;
    p.hardBounces += num(r.hard);
    p.deliveries += channelMeasures(r.channel).delivered === 'receipt' ? num(r.receipts) : sends - bounces;
    p.humanOpens += num(r.opens);
    p.clicks += num(r.clicks);
    p.complaints += num(r.complaints);
  }
  if (q.by === 'workspace' || q.by === 'channel') await addUnsubscribes(store, q, at);
  if (q.by === 'workspace') await addConversionEvents(store, q, at);
  if (q.by === 'journey') await addJourneyGoals(store, q, at);
  return [...points.values()].sort((x, y) => x.bucket - y.bucket || (x.key < y.key ? -1 : x.key > y.key ? 1 : 0));
}

type At = (bucket: number, key: string) => SeriesPoint;

/** Opt-outs by consent-change time, counted where the channel says the source is one made from a message. */
async function addUnsubscribes(store: Store, q: SeriesQuery, at: At) {
  const b = bucketSql('h.created_at', q.bucket);
  const onlyChannel = q.by === 'channel' && q.key !== undefined ? sql`AND h.channel = ${q.key}` : sql``;
  const rows = await sql<{ bucket: unknown; channel: string; source: string | null; n: unknown }>`
    SELECT ${b} AS bucket, h.channel AS channel, h.source AS source, COUNT(*) AS n FROM consent_history h
    WHERE h.workspace_id = ${q.workspaceId} AND h.status = 'unsubscribed' AND h.created_at >= ${q.from} AND h.created_at < ${q.to} ${onlyChannel}
    GROUP BY 1, 2, 3`.execute(store.db);
  for (const r of rows.rows) {
    const sources = channelMeasures(r.channel).optOutSources;
    if (sources && !sources.includes(r.source ?? '')) continue;
    const p = at(num(r.bucket), q.by === 'channel' ? r.channel : '');
    p.unsubscribes = (p.unsubscribes ?? 0) + num(r.n);
  }
}

/**
 * Conversion events and their revenue. The revenue is read as text and summed here: a hostile
 * `revenue: "abc"` must count as no revenue, not fail a cast on PostgreSQL. One row per conversion
 * (a few percent of the events), through the index events_workspace_name_time; plus the hourly counts
 * of the conversion events retention deleted (event_rollups, src/retention/delete-events.ts).
 */
async function addConversionEvents(store: Store, q: SeriesQuery, at: At) {
  const b = bucketSql('e.timestamp', q.bucket);
  const rows = await sql<{ bucket: unknown; revenue: string | null }>`
    SELECT ${b} AS bucket, ${store.adapter.jsonText('e.properties', 'revenue')} AS revenue FROM events e
    WHERE e.workspace_id = ${q.workspaceId} AND e.name = ${q.conversionEvent ?? DEFAULT_CONVERSION_EVENT}
      AND e.timestamp >= ${q.from} AND e.timestamp < ${q.to}`.execute(store.db);
  for (const r of rows.rows) {
    const p = at(num(r.bucket), '');
    p.conversions = (p.conversions ?? 0) + 1;
    const v = revenueValue(r.revenue);
    if (v !== null) p.revenue = (p.revenue ?? 0) + v;
  }
  // Events retention deleted are counted here instead, hour by hour (src/retention/delete-events.ts).
  const rolled = await sql<{ bucket: unknown; events: unknown; revenue: unknown }>`
    SELECT ${bucketSql('r.hour', q.bucket)} AS bucket, SUM(r.events) AS events, SUM(r.revenue) AS revenue FROM event_rollups r
    WHERE r.workspace_id = ${q.workspaceId} AND r.name = ${q.conversionEvent ?? DEFAULT_CONVERSION_EVENT} AND r.hour >= ${q.from} AND r.hour < ${q.to}
    GROUP BY 1`.execute(store.db);
  for (const r of rolled.rows) {
    const p = at(num(r.bucket), '');
    p.conversions = (p.conversions ?? 0) + num(r.events);
    if (r.revenue !== null) p.revenue = (p.revenue ?? 0) + num(r.revenue);
  }
}

/** Runs that reached their journey's goal, by when they did, with the goal's value as revenue. */
async function addJourneyGoals(store: Store, q: SeriesQuery, at: At) {
  const b = bucketSql('r.ended_at', q.bucket);
  const onlyJourney = q.key !== undefined ? sql`AND r.journey_id = ${q.key}` : sql``;
  const rows = await sql<{ bucket: unknown; key: string; n: unknown; revenue: unknown }>`
    SELECT ${b} AS bucket, r.journey_id AS key, COUNT(*) AS n, SUM(r.goal_value) AS revenue FROM journey_runs r
    WHERE r.workspace_id = ${q.workspaceId} AND r.status = 'converted' AND r.ended_at >= ${q.from} AND r.ended_at < ${q.to} ${onlyJourney}
    GROUP BY 1, 2`.execute(store.db);
  for (const r of rows.rows) {
    const p = at(num(r.bucket), r.key);
    p.conversions = (p.conversions ?? 0) + num(r.n);
    p.revenue = (p.revenue ?? 0) + num(r.revenue);
  }
}
