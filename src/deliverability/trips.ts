/**
 * @module Reading the reputation breaker's trips (reputation_trips): the open one of a journey or
 * broadcast (what the web app shows on its page: why it paused and how to resume), a workspace's
 * recent ones, and closing one when its target is resumed.
 */
import type { Selectable } from 'kysely';
import type { Db } from '../store/store.js';
import type { ReputationTripsTable } from './tables.js';

export type TargetKind = 'journey' | 'broadcast';
export type TripReason = 'complaints' | 'hard_bounces';

export interface Trip {
  id: string;
  targetKind: TargetKind;
  targetId: string;
  reason: TripReason;
  /** The rate that passed (a fraction: 0.004 is 0.4%) and its threshold. */
  rate: number;
  threshold: number;
  sent: number;
  complaints: number;
  hardBounces: number;
  windowStart: number;
  windowMs: number;
  trippedAt: number;
  notifiedAt: number | null;
  resumedAt: number | null;
  /** In words, for the page and the alert. */
  summary: string;
}

const percent = (f: number) => `${(f * 100).toFixed(2).replace(/\.?0+$/, '')}%`;

export function describeTrip(t: Pick<Trip, 'targetKind' | 'reason' | 'rate' | 'threshold' | 'sent' | 'complaints' | 'hardBounces' | 'windowMs'>): string {
  const hours = Math.round(t.windowMs / 3_600_000);
  const what = t.reason === 'complaints' ? `${t.complaints} spam complaints` : `${t.hardBounces} hard bounces`;
  return `Paused by the reputation breaker: ${what} in ${t.sent} sends in the last ${hours} h (${percent(t.rate)}, above the ${percent(t.threshold)} threshold). Fix the cause (audience, content, list hygiene), then resume the ${t.targetKind}.`;
}

export function toTrip(r: Selectable<ReputationTripsTable>): Trip {
  const t = {
    id: r.id,
    targetKind: r.target_kind as TargetKind,
    targetId: r.target_id,
    reason: r.reason as TripReason,
    rate: Number(r.rate),
    threshold: Number(r.threshold),
    sent: Number(r.sent),
    complaints: Number(r.complaints),
    hardBounces: Number(r.hard_bounces),
    windowStart: Number(r.window_start),
    windowMs: Number(r.window_ms),
    trippedAt: Number(r.tripped_at),
    notifiedAt: r.notified_at === null ? null : Number(r.notified_at),
    resumedAt: r.resumed_at === null ? null : Number(r.resumed_at),
  };
  return { ...t, summary: describeTrip(t) };
}

/** The target's open trip (paused by the breaker, not resumed since), if any. */
export async function openTrip(db: Db, workspaceId: string, kind: TargetKind, targetId: string): Promise<Trip | null> {
  const row = await db
    .selectFrom('reputation_trips')
    .selectAll()
    .where('workspace_id', '=', workspaceId)
    .where('target_kind', '=', kind)
    .where('target_id', '=', targetId)
    .where('resumed_at', 'is', null)
    .executeTakeFirst();
  return row ? toTrip(row) : null;
}

/** The workspace's trips, newest first (at most `limit`), optionally of one target. */
export async function listTrips(db: Db, workspaceId: string, options: { kind?: TargetKind | undefined; targetId?: string | undefined; limit?: number } = {}): Promise<Trip[]> {
  let q = db.selectFrom('reputation_trips').selectAll().where('workspace_id', '=', workspaceId);
  if (options.kind) q = q.where('target_kind', '=', options.kind);
  if (options.targetId) q = q.where('target_id', '=', options.targetId);
  const rows = await q
    .orderBy('tripped_at', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit ?? 100)
    .execute();
  return rows.map(toTrip);
}

/** Closes the target's open trip (its sends before `at` no longer count); true when one was open. */
export async function closeTrip(db: Db, workspaceId: string, kind: TargetKind, targetId: string, at: number): Promise<boolean> {
  const r = await db
    .updateTable('reputation_trips')
    .set({ resumed_at: at })
    .where('workspace_id', '=', workspaceId)
    .where('target_kind', '=', kind)
    .where('target_id', '=', targetId)
    .where('resumed_at', 'is', null)
    .executeTakeFirst();
  return Number(r.numUpdatedRows) > 0;
}

/** When the target was last resumed after a trip (its window starts no earlier); null: never tripped. */
export async function lastResumedAt(db: Db, workspaceId: string, kind: TargetKind, targetId: string): Promise<number | null> {
  const row = await db
    .selectFrom('reputation_trips')
    .select((eb) => eb.fn.max('resumed_at').as('at'))
    .where('workspace_id', '=', workspaceId)
    .where('target_kind', '=', kind)
    .where('target_id', '=', targetId)
    .executeTakeFirst();
  return row?.at === null || row?.at === undefined ? null : Number(row.at);
}
