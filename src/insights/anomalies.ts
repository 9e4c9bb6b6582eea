/**
 * @module Flagged anomalies as stored incidents (insight_anomalies, migrations/000023.sql).
 *
 * A finding continues an open incident of the same metric and scope (its fingerprint) when that
 * incident was last seen at most `CONTINUES_BUCKETS` buckets before it: the incident's `last_seen_at`
 * moves on and nothing new is alerted. Otherwise it opens a new incident, unique on (workspace,
 * fingerprint, started_at), so a scan that runs twice over the same day, or two scanners at once,
 * open it once. An open incident not seen for longer than that is resolved by `resolveQuiet`.
 */
import { sql, type Insertable, type Selectable } from 'kysely';
import type { Clock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { fromJson } from '../core/json.js';
import type { Db } from '../store/store.js';
import type { Explanation, ScopeFilter } from './drill-down.js';
import type { ScopedFinding } from './find.js';
import type { InsightAnomaliesTable } from './tables.js';

/** A day without the anomaly between two flagged days still makes one incident. */
export const CONTINUES_BUCKETS = 2;

export interface Anomaly {
  id: string;
  metric: string;
  scope: ScopeFilter;
  direction: 'up' | 'down';
  bucketMs: number;
  startedAt: number;
  lastSeenAt: number;
  /** The first flagged bucket's rate (or count), and its baseline. */
  observed: number;
  expected: number;
  score: number;
  volume: number;
  status: 'open' | 'resolved';
  alertedAt: number | null;
  /** The first flagged bucket's drill-down. */
  explanation: Explanation;
}

export const fingerprintOf = (metric: string, scope: ScopeFilter) => `${metric}|${scope.kind}:${scope.id}`;

export function toAnomaly(row: Selectable<InsightAnomaliesTable>): Anomaly {
  return {
    id: row.id,
    metric: row.metric,
    scope: { kind: row.scope_kind as ScopeFilter['kind'], id: row.scope_id },
    direction: row.direction === 'down' ? 'down' : 'up',
    bucketMs: Number(row.bucket_ms),
    startedAt: Number(row.started_at),
    lastSeenAt: Number(row.last_seen_at),
    observed: Number(row.observed),
    expected: Number(row.expected),
    score: Number(row.score),
    volume: Number(row.volume),
    status: row.status === 'resolved' ? 'resolved' : 'open',
    alertedAt: row.alerted_at === null ? null : Number(row.alerted_at),
    explanation: fromJson<Explanation>(row.drill_down),
  };
}

/** Records a finding: `opened` when it starts a new incident (which should be alerted). */
export async function recordFinding(db: Db, clock: Clock, workspaceId: string, f: ScopedFinding, bucketMs: number): Promise<{ anomaly: Anomaly; opened: boolean }> {
  const now = clock.now();
  const fingerprint = fingerprintOf(f.metric, f.scope);
  const open = await db
    .selectFrom('insight_anomalies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('fingerprint', '=', fingerprint)
    .where('status', '=', 'open')
    .where('started_at', '<=', f.bucket)
    .where('last_seen_at', '>=', f.bucket - CONTINUES_BUCKETS * bucketMs)
    .orderBy('started_at', 'desc')
    .executeTakeFirst();
  if (open) {
    if (Number(open.last_seen_at) < f.bucket) {
      await db.updateTable('insight_anomalies').set({ last_seen_at: f.bucket, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', open.id).execute();
      open.last_seen_at = f.bucket;
    }
    return { anomaly: toAnomaly(open), opened: false };
  }
  const row: Insertable<InsightAnomaliesTable> = {
    workspace_id: workspaceId,
    id: newId('ano', now),
    fingerprint,
    metric: f.metric,
    scope_kind: f.scope.kind,
    scope_id: f.scope.id,
    direction: f.direction,
    bucket_ms: bucketMs,
    started_at: f.bucket,
    last_seen_at: f.bucket,
    observed: f.observed,
    expected: f.expected,
    score: Number.isFinite(f.score) ? f.score : 0,
    volume: f.volume,
    drill_down: JSON.stringify(f.explanation),
    status: 'open',
    alerted_at: null,
    created_at: now,
    updated_at: now,
  };
  const inserted = await db
    .insertInto('insight_anomalies')
    .values(row)
    .onConflict((oc) => oc.columns(['workspace_id', 'fingerprint', 'started_at']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return { anomaly: toAnomaly({ ...row, alerted_at: null, drill_down: f.explanation }), opened: true };
  const existing = await db
    .selectFrom('insight_anomalies')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('fingerprint', '=', fingerprint)
    .where('started_at', '=', f.bucket)
    .executeTakeFirstOrThrow();
  return { anomaly: toAnomaly(existing), opened: false };
}

/** Resolves the open incidents not seen in the last CONTINUES_BUCKETS buckets before `through`. */
export async function resolveQuiet(db: Db, clock: Clock, workspaceId: string, through: number): Promise<number> {
  const res = await db
    .updateTable('insight_anomalies')
    .set({ status: 'resolved', updated_at: clock.now() })
    .where('workspace_id', '=', workspaceId)
    .where('status', '=', 'open')
    .where(sql<boolean>`last_seen_at < ${through} - ${CONTINUES_BUCKETS + 1} * bucket_ms`)
    .executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export interface AnomalyListQuery {
  from?: number | undefined;
  to?: number | undefined;
  status?: 'open' | 'resolved' | undefined;
  limit: number;
}

/** The workspace's incidents that overlap [from, to), latest first. */
export async function listAnomalies(db: Db, workspaceId: string, q: AnomalyListQuery): Promise<Anomaly[]> {
  let query = db.selectFrom('insight_anomalies').selectAll().where('workspace_id', '=', workspaceId);
  if (q.from !== undefined) query = query.where('last_seen_at', '>=', q.from);
  if (q.to !== undefined) query = query.where('started_at', '<', q.to);
  if (q.status !== undefined) query = query.where('status', '=', q.status);
  const rows = await query.orderBy('last_seen_at', 'desc').orderBy('id', 'desc').limit(q.limit).execute();
  return rows.map(toAnomaly);
}

export async function findAnomaly(db: Db, workspaceId: string, id: string): Promise<Anomaly | undefined> {
  const row = await db.selectFrom('insight_anomalies').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
  return row ? toAnomaly(row) : undefined;
}
