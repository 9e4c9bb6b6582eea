/**
 * @module The reputation breaker (docs/email.md "Reputation breaker"): a journey or broadcast whose
 * spam-complaint or hard-bounce rate reaches the workspace's threshold (./settings.ts) within the
 * window pauses itself, records why (reputation_trips) and its admins are told (./alert.ts).
 *
 * One evaluation, for every live journey and sending broadcast of every workspace whose breaker is on:
 *  1. an open trip on a target that is running again means a person resumed it (the journey or
 *     broadcast resume paths, or POST /api/deliverability/trips/:id/resume): the trip is closed, and
 *     only sends after that moment count from now on, so the same complaints do not pause it again;
 *  2. the target's counts since max(now - window, last resume) (./rates.ts); below `minSample` sends
 *     nothing is decided;
 *  3. a rate at or above its threshold: pause through the target's own pause path FIRST (a crash
 *     after it leaves it paused, the safe side), then record the trip. The partial unique index
 *     reputation_trips_open allows one open trip per target, so two workers evaluating at once record
 *     one; the alert is claimed by a conditional UPDATE of `notified_at`, so it goes out once;
 *  4. trips not yet notified (a crash between 3 and the alert) are notified.
 */
import type { AppDeps } from '../core/app-deps.js';
import { ConflictError } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { setStatus } from '../journeys/journeys.js';
import { pauseBroadcast } from '../broadcasts/broadcasts.js';
import type { Channel } from '../channels/channel.js';
import { HOUR_MS, settingsOf, type BreakerSettings } from './settings.js';
import { countsOf, judge, type Target } from './rates.js';
import { closeTrip, lastResumedAt, openTrip, toTrip, type Trip } from './trips.js';
import { alertTrip } from './alert.js';

export type BreakerDeps = Pick<AppDeps, 'store' | 'clock' | 'signals' | 'log' | 'metrics' | 'config'> & {
  /** The email channel of the process; no alert emails without it. */
  email: Channel | undefined;
};

interface Running extends Target {
  workspaceId: string;
  updatedAt: number;
}

async function runningTargets(deps: BreakerDeps): Promise<Running[]> {
  const { db } = deps.store;
  const journeys = await db.selectFrom('journeys').select(['workspace_id', 'id', 'updated_at']).where('status', '=', 'live').execute();
  const broadcasts = await db.selectFrom('broadcasts').select(['workspace_id', 'id', 'template', 'updated_at']).where('status', '=', 'sending').execute();
  return [
    ...journeys.map((j) => ({ kind: 'journey' as const, workspaceId: j.workspace_id, id: j.id, updatedAt: Number(j.updated_at) })),
    ...broadcasts.map((b) => ({ kind: 'broadcast' as const, workspaceId: b.workspace_id, id: b.id, template: b.template, updatedAt: Number(b.updated_at) })),
  ];
}

async function currentState(deps: BreakerDeps, t: Running): Promise<{ running: boolean; updatedAt: number } | null> {
  const { db } = deps.store;
  const row =
    t.kind === 'journey'
      ? await db.selectFrom('journeys').select(['status', 'updated_at']).where('workspace_id', '=', t.workspaceId).where('id', '=', t.id).executeTakeFirst()
      : await db.selectFrom('broadcasts').select(['status', 'updated_at']).where('workspace_id', '=', t.workspaceId).where('id', '=', t.id).executeTakeFirst();
  return row ? { running: row.status === (t.kind === 'journey' ? 'live' : 'sending'), updatedAt: Number(row.updated_at) } : null;
}

/** Pauses the target through its own path; false when it was no longer running (a person, or another worker, got there first). */
async function pause(deps: BreakerDeps, t: Running): Promise<boolean> {
  try {
    if (t.kind === 'journey') {
      const current = await deps.store.db.selectFrom('journeys').select('status').where('workspace_id', '=', t.workspaceId).where('id', '=', t.id).executeTakeFirst();
      if (current?.status !== 'live') return false;
      await setStatus(deps, t.workspaceId, t.id, 'paused');
    } else await pauseBroadcast(deps, t.workspaceId, t.id);
    return true;
  } catch (err) {
    if (err instanceof ConflictError) return false;
    throw err;
  }
}

/** Evaluates one running target; the trip it recorded, if any. */
async function evaluate(deps: BreakerDeps, t: Running, s: BreakerSettings, now: number): Promise<Trip | null> {
  const { db } = deps.store;
  // 1. Running again with a trip open: resumed by a person since the trip. Read again: the list of
  // running targets may predate another worker's pause (and its trip) of this one.
  if (await openTrip(db, t.workspaceId, t.kind, t.id)) {
    const current = await currentState(deps, t);
    if (!current?.running) return null;
    await closeTrip(db, t.workspaceId, t.kind, t.id, Math.min(current.updatedAt, now));
  }
  const windowMs = s.windowHours * HOUR_MS;
  const resumed = await lastResumedAt(db, t.workspaceId, t.kind, t.id);
  const since = Math.max(now - windowMs, resumed ?? 0);
  // 2.
  const counts = await countsOf(db, t.workspaceId, t, since);
  const verdict = judge(counts, s);
  if (!verdict.trip) return null;
  // 3. Pause first, then record.
  if (!(await pause(deps, t))) return null;
  const row = await db
    .insertInto('reputation_trips')
    .values({
      workspace_id: t.workspaceId,
      id: newId('trip', now),
      target_kind: t.kind,
      target_id: t.id,
      reason: verdict.reason,
      rate: verdict.rate,
      threshold: verdict.threshold,
      sent: counts.sent,
      complaints: counts.complaints,
      hard_bounces: counts.hardBounces,
      window_start: since,
      window_ms: windowMs,
      tripped_at: now,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'target_kind', 'target_id']).where('resumed_at', 'is', null).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (!row) return null;
  const trip = toTrip(row);
  deps.log.warn({ workspaceId: t.workspaceId, trip }, 'reputation breaker paused a sender');
  return trip;
}

/** One evaluation of every running journey and broadcast; returns how many it paused. */
export async function runBreaker(deps: BreakerDeps): Promise<number> {
  const now = deps.clock.now();
  const targets = await runningTargets(deps);
  const settings = await settingsOf(
    deps.store.db,
    targets.map((t) => t.workspaceId),
  );
  let paused = 0;
  for (const t of targets) {
    const s = settings.get(t.workspaceId)!.breaker;
    if (!s.enabled) continue;
    try {
      if (await evaluate(deps, t, s, now)) paused++;
    } catch (err) {
      // One target's failure must not keep the others unchecked.
      deps.log.error({ err, workspaceId: t.workspaceId, target: t }, 'reputation breaker evaluation failed');
    }
  }
  // 4. Trips recorded but not yet told (this run's, or a crashed run's).
  const pending = await deps.store.db.selectFrom('reputation_trips').selectAll().where('notified_at', 'is', null).orderBy('tripped_at').limit(100).execute();
  for (const row of pending) await alertTrip(deps, toTrip(row), row.workspace_id);
  return paused;
}
