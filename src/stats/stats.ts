/**
 * @module The stats services: a journey's, a template's, a broadcast's and the workspace's
 * figures, computed on request from the stored rows (no counters of our own that could drift).
 * Queries run one after another on the same connection pool; see docs/stats.md for what each one
 * reads and what it costs.
 */
import { NotFoundError } from '../core/errors.js';
import type { ServiceDeps } from '../core/deps.js';
import { getJourney, getVersion } from '../journeys/journeys.js';
import { attributedRevenue, type AttributionWindows } from './attribution.js';
import { fold, series, type Folded, type SeriesPoint } from './breakdown.js';
import { splitStats, DEFAULT_MIN_SAMPLE, type SplitStats } from './experiments.js';
import { funnel, funnelByChannel, type FunnelChannel, type FunnelNode } from './funnel.js';
import { messageGroups } from './messages.js';
import { emptyRuns, finishRuns, runSeries, runsByVersion, type RunBucket, type RunCounts } from './runs.js';
import type { Bucket, Range, Scope } from './scope.js';
import { loadStatsSettings, windowsOf } from './settings.js';

export interface StatsQuery extends Range {
  bucket?: Bucket | undefined;
  clickWindowMs?: number | undefined;
  openWindowMs?: number | undefined;
  minSample?: number | undefined;
}

export interface ScopeStats extends Folded {
  range: { from: number | null; to: number | null };
  attribution: AttributionWindows;
  series: SeriesPoint[] | null;
}

export interface JourneyStats extends ScopeStats {
  journeyId: string;
  runs: RunCounts;
  runsByVersion: { version: number; runs: RunCounts }[];
  runSeries: RunBucket[] | null;
  experiments: SplitStats[];
}

async function scopeStats(deps: ServiceDeps, scope: Scope, q: StatsQuery): Promise<ScopeStats> {
  const settings = await loadStatsSettings(deps.store.db, scope.workspaceId);
  const windows = windowsOf(settings, { clickWindowMs: q.clickWindowMs, openWindowMs: q.openWindowMs });
  const range: Range = { from: q.from, to: q.to };
  const groups = await messageGroups(deps.store.db, scope, range);
  const attributed = await attributedRevenue(deps.store.db, scope, range, windows);
  const folded = fold(groups, attributed, settings.costPerMessage);
  const bucketed = q.bucket ? series(await messageGroups(deps.store.db, scope, range, q.bucket)) : null;
  return { range: { from: q.from ?? null, to: q.to ?? null }, attribution: windows, ...folded, series: bucketed };
}

export async function journeyStats(deps: ServiceDeps, workspaceId: string, journeyId: string, q: StatsQuery = {}): Promise<JourneyStats> {
  const journey = await getJourney(deps.store.db, workspaceId, journeyId);
  if (!journey) throw new NotFoundError('journey', journeyId);
  const doc = await getVersion(deps.store.db, workspaceId, journeyId, journey.version);
  if (!doc) throw new NotFoundError('journey version', `${journeyId}@${journey.version}`);
  const base = await scopeStats(deps, { kind: 'journey', workspaceId, journeyId }, q);
  const range: Range = { from: q.from, to: q.to };
  const perVersion = await runsByVersion(deps.store.db, workspaceId, journeyId, range);
  const runs = emptyRuns();
  for (const c of perVersion.values()) {
    runs.entered += c.entered;
    runs.inProgress += c.inProgress;
    runs.completed += c.completed;
    runs.exited += c.exited;
    runs.converted += c.converted;
    runs.goalValue += c.goalValue;
    runs.errored += c.errored;
    runs.timedOut += c.timedOut;
    for (const [k, n] of Object.entries(c.exitReasons)) runs.exitReasons[k] = (runs.exitReasons[k] ?? 0) + n;
  }
  return {
    journeyId,
    ...base,
    runs: finishRuns(runs),
    runsByVersion: [...perVersion.entries()].sort((a, b) => a[0] - b[0]).map(([version, r]) => ({ version, runs: r })),
    runSeries: q.bucket ? await runSeries(deps.store.db, workspaceId, journeyId, range, q.bucket) : null,
    experiments: await splitStats(deps.store.db, workspaceId, journeyId, doc, range, q.minSample ?? DEFAULT_MIN_SAMPLE),
  };
}

/** A type, not an interface: the route's response schema is a record. */
export type JourneyFunnel = {
  journeyId: string;
  version: number;
  nodes: FunnelNode[];
  byChannel: Record<string, FunnelChannel>;
};

export async function journeyFunnel(deps: ServiceDeps, workspaceId: string, journeyId: string, q: Range = {}): Promise<JourneyFunnel> {
  const journey = await getJourney(deps.store.db, workspaceId, journeyId);
  if (!journey) throw new NotFoundError('journey', journeyId);
  const doc = await getVersion(deps.store.db, workspaceId, journeyId, journey.version);
  if (!doc) throw new NotFoundError('journey version', `${journeyId}@${journey.version}`);
  const nodes = await funnel(deps.store.db, workspaceId, journeyId, doc, q);
  return { journeyId, version: journey.version, nodes, byChannel: funnelByChannel(nodes) };
}

export async function templateStats(deps: ServiceDeps, workspaceId: string, templateId: string, q: StatsQuery = {}): Promise<ScopeStats & { templateId: string }> {
  const t = await deps.store.db.selectFrom('templates').select('id').where('workspace_id', '=', workspaceId).where('id', '=', templateId).executeTakeFirst();
  if (!t) throw new NotFoundError('template', templateId);
  return { templateId, ...(await scopeStats(deps, { kind: 'template', workspaceId, templateId }, q)) };
}

/** Generic over messages whose idempotency key starts with `broadcast:<id>:` (see ./scope.ts). */
export async function broadcastStats(deps: ServiceDeps, workspaceId: string, broadcastId: string, q: StatsQuery = {}): Promise<ScopeStats & { broadcastId: string }> {
  return { broadcastId, ...(await scopeStats(deps, { kind: 'broadcast', workspaceId, broadcastId }, q)) };
}

export async function overviewStats(deps: ServiceDeps, workspaceId: string, q: StatsQuery = {}): Promise<ScopeStats> {
  return scopeStats(deps, { kind: 'workspace', workspaceId }, q);
}
