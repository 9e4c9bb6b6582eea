/**
 * @module Snapshots of a journey's default figures (no range, default windows): why the stats
 * endpoint answers a journey of 1,000,000 messages in milliseconds (docs/stats.md). A snapshot is
 * the output of `journeyStats` (a full recomputation from the raw rows) stored as one row; it is
 * never patched incrementally, so it cannot drift: it is only ever replaced by a newer
 * recomputation. The endpoint serves a snapshot at most `maxAgeMs` old (default 5 minutes) and says
 * when it was computed (`computedAt`); `?fresh=true`, a range, a bucket or other windows compute
 * live. The worker (./task.ts) recomputes snapshots older than the refresh interval (1 minute, or
 * 20 × the last computation's duration if longer), only for journeys someone has asked about.
 */
import { sql, type SqlBool } from 'kysely';
import { NotFoundError } from '../core/errors.js';
import type { ServiceDeps } from '../core/deps.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import { getJourney, getVersion } from '../journeys/journeys.js';
import { journeyStats, type JourneyStats, type StatsQuery } from './stats.js';
import { decidePromotions } from './promotion.js';

async function currentDocument(deps: ServiceDeps, workspaceId: string, journeyId: string) {
  const j = await getJourney(deps.store.db, workspaceId, journeyId);
  return j ? getVersion(deps.store.db, workspaceId, journeyId, j.version) : undefined;
}

export const SNAPSHOT_MAX_AGE_MS = 5 * 60_000;
export const SNAPSHOT_REFRESH_MS = 60_000;
/** A refresh that takes longer than this (a crashed worker) may be taken over. */
export const REFRESH_LEASE_MS = 5 * 60_000;
/** Refresh no more often than this many times the last computation's duration. */
export const REFRESH_FACTOR = 20;

export type JourneyStatsAnswer = JourneyStats & { computedAt: number; fromSnapshot: boolean };

export const isDefaultQuery = (q: StatsQuery) => Object.values(q).every((v) => v === undefined);

async function compute(deps: ServiceDeps, workspaceId: string, journeyId: string): Promise<JourneyStatsAnswer> {
  const started = deps.clock.now();
  const t = performance.now();
  const stats = await journeyStats(deps, workspaceId, journeyId);
  const doc = await currentDocument(deps, workspaceId, journeyId);
  if (doc) await decidePromotions(deps, workspaceId, doc, stats);
  const computeMs = Math.round(performance.now() - t);
  const body = toJson(stats as unknown as JsonObject);
  await deps.store.db
    .insertInto('stats_snapshots')
    .values({ workspace_id: workspaceId, scope: 'journey', scope_id: journeyId, body, computed_at: started, compute_ms: computeMs, refreshing_until: null })
    .onConflict((oc) => oc.columns(['workspace_id', 'scope', 'scope_id']).doUpdateSet({ body, computed_at: started, compute_ms: computeMs, refreshing_until: null }))
    .execute();
  return { ...stats, computedAt: started, fromSnapshot: false };
}

/** The journey's default figures from a snapshot at most `maxAgeMs` old, else computed now (and stored). */
export async function journeyStatsCached(deps: ServiceDeps, workspaceId: string, journeyId: string, options: { maxAgeMs?: number; fresh?: boolean } = {}): Promise<JourneyStatsAnswer> {
  if (!options.fresh) {
    const row = await deps.store.db
      .selectFrom('stats_snapshots')
      .select(['body', 'computed_at', 'compute_ms'])
      .where('workspace_id', '=', workspaceId)
      .where('scope', '=', 'journey')
      .where('scope_id', '=', journeyId)
      .executeTakeFirst();
    const body = row ? fromJson<JourneyStats>(row.body) : null;
    // A snapshot stored before `byChannel` became a map per channel is recomputed, never served.
    if (row && body && !Array.isArray(body.byChannel) && Number(row.computed_at) >= deps.clock.now() - Math.max(options.maxAgeMs ?? SNAPSHOT_MAX_AGE_MS, 2 * REFRESH_FACTOR * Number(row.compute_ms))) {
      return { ...body, computedAt: Number(row.computed_at), fromSnapshot: true };
    }
  }
  return compute(deps, workspaceId, journeyId);
}

/** Recomputes the stalest snapshot older than `refreshMs`, if any; returns how many it refreshed (0 or 1). */
export async function refreshStaleSnapshot(deps: ServiceDeps, refreshMs = SNAPSHOT_REFRESH_MS): Promise<number> {
  const now = deps.clock.now();
  const stale = await deps.store.db
    .selectFrom('stats_snapshots')
    .select(['workspace_id', 'scope_id'])
    .where('scope', '=', 'journey')
    // A snapshot that took c ms to compute is refreshed at most every REFRESH_FACTOR × c ms, so a
    // heavy journey costs the database at most 1/REFRESH_FACTOR of one connection's time.
    .where(sql<SqlBool>`computed_at + CASE WHEN compute_ms * ${REFRESH_FACTOR} > ${refreshMs} THEN compute_ms * ${REFRESH_FACTOR} ELSE ${refreshMs} END < ${now}`)
    .where((eb) => eb.or([eb('refreshing_until', 'is', null), eb('refreshing_until', '<', now)]))
    .orderBy('computed_at')
    .limit(1)
    .executeTakeFirst();
  if (!stale) return 0;
  // The claim: one conditional update, so two workers never recompute the same snapshot at once.
  const claimed = await deps.store.db
    .updateTable('stats_snapshots')
    .set({ refreshing_until: now + REFRESH_LEASE_MS })
    .where('workspace_id', '=', stale.workspace_id)
    .where('scope', '=', 'journey')
    .where('scope_id', '=', stale.scope_id)
    .where((eb) => eb.or([eb('refreshing_until', 'is', null), eb('refreshing_until', '<', now)]))
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) === 0) return 0;
  try {
    await compute(deps, stale.workspace_id, stale.scope_id);
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
    // The journey is gone: so is its snapshot.
    await deps.store.db.deleteFrom('stats_snapshots').where('workspace_id', '=', stale.workspace_id).where('scope', '=', 'journey').where('scope_id', '=', stale.scope_id).execute();
  }
  return 1;
}
