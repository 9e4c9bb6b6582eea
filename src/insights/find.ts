/**
 * @module What the anomaly scan looks at: the daily series of each channel of the workspace (the
 * rates each channel can measure: bounces and complaints where it has them, opens where it tracks
 * them, clicks and unsubscribes everywhere) and of each journey (its sends, for a journey that
 * stalls while runs wait), each bucket of the range against its weekly baseline (./detect.ts), each
 * finding explained by its drill-down (./drill-down.ts).
 *
 * Daily buckets, not hourly: at a few hundred messages a day an hour holds too few to compare, and a
 * daily scan already flags a change within the day after it. `bucketMs` can be an hour for a
 * workspace large enough (the detection is the same; the season is then 168 buckets).
 */
import type { Store } from '../store/store.js';
import { channelMeasures } from '../stats/channel-measures.js';
import { DAY_MS, DEFAULT_DETECTION, METRICS, findAnomalies, type DetectionOptions, type Finding, type MetricDef } from './detect.js';
import { explain, type Explanation, type ScopeFilter } from './drill-down.js';
import { series, type Counts, type SeriesPoint } from './series.js';

export interface ScopedFinding extends Finding {
  scope: ScopeFilter;
  explanation: Explanation;
}

export interface FindOptions extends Partial<DetectionOptions> {
  conversionEvent?: string | undefined;
}

/** The metrics a channel can measure (src/stats/channel-measures.ts). */
export function channelMetrics(channel: string): MetricDef[] {
  const m = channelMeasures(channel);
  const list: MetricDef[] = [];
  if (m.bounces) list.push(METRICS.hard_bounce_rate, METRICS.complaint_rate);
  if (m.opens) list.push(METRICS.open_rate);
  list.push(METRICS.click_rate, METRICS.unsubscribe_rate);
  return list;
}

function byKey(points: readonly SeriesPoint[]): Map<string, Map<number, Counts>> {
  const out = new Map<string, Map<number, Counts>>();
  for (const p of points) {
    let m = out.get(p.key);
    if (!m) out.set(p.key, (m = new Map()));
    m.set(p.bucket, p);
  }
  return out;
}

/** Findings of the buckets starting in [from, to) (bucket-aligned), explained, in bucket order. */
export async function findWorkspaceAnomalies(store: Store, workspaceId: string, range: { from: number; to: number }, options: FindOptions = {}): Promise<ScopedFinding[]> {
  const o: DetectionOptions = { ...DEFAULT_DETECTION, bucketMs: DAY_MS, ...options };
  const bucket = o.bucketMs === DAY_MS ? 'day' : 'hour';
  const q = { workspaceId, bucket, from: range.from - o.seasons * o.seasonMs, to: range.to, conversionEvent: options.conversionEvent } as const;
  const found: { scope: ScopeFilter; finding: Finding }[] = [];
  for (const [channel, points] of byKey(await series(store, { ...q, by: 'channel' }))) {
    for (const finding of findAnomalies(points, channelMetrics(channel), range, o)) found.push({ scope: { kind: 'channel', id: channel }, finding });
  }
  const journeys = byKey(await series(store, { ...q, by: 'journey' }));
  for (const [journeyId, points] of journeys) {
    const drops = findAnomalies(points, [METRICS.sends], range, o);
    if (drops.length > 0 && (await hasWaitingRuns(store, workspaceId, journeyId))) {
      for (const finding of drops) found.push({ scope: { kind: 'journey', id: journeyId }, finding });
    }
  }
  const out: ScopedFinding[] = [];
  for (const { scope, finding } of found.sort((a, b) => a.finding.bucket - b.finding.bucket)) {
    const explanation = await explain(store, { workspaceId, scope, finding, bucketMs: o.bucketMs, seasonMs: o.seasonMs, seasons: o.seasons });
    out.push({ ...finding, scope, explanation });
  }
  return out;
}

/** A journey whose sends dropped has stalled only if runs are still waiting to go on. */
async function hasWaitingRuns(store: Store, workspaceId: string, journeyId: string): Promise<boolean> {
  const row = await store.db
    .selectFrom('journey_runs')
    .select('id')
    .where('workspace_id', '=', workspaceId)
    .where('journey_id', '=', journeyId)
    .where('status', 'in', ['active', 'waiting'])
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}
