/**
 * @module What send-time optimisation reads from the database: a contact's human opens and clicks
 * (the `email.opened` events with `machine: false` and the `email.clicked` events of the last 180
 * days, by the events_contact_name_time index), and the workspace's profile, which the stats worker
 * task recomputes every 6 hours from the workspace's most recent human opens (at most 5,000, each in
 * its contact's zone) and keeps as a `send_time` snapshot. Journey steps only read; the worker writes.
 */
import { sql } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { fromJson, toJson, type JsonObject } from '../core/json.js';
import type { Db } from '../store/store.js';
import { bestSendTime, HOURS_PER_WEEK, profile, addProfiles, type SendTimeChoice } from './send-time.js';

const DAY_MS = 86_400_000;
export const HISTORY_MS = 180 * DAY_MS;
export const WORKSPACE_PROFILE_MAX_AGE_MS = 6 * 3_600_000;
const WORKSPACE_SAMPLE = 5000;
/** The run's `lastError` after a send-time deferral starts with this: the retry sends at once. */
export const SEND_TIME_REASON = 'send time';

export async function contactEngagements(db: Db, contactId: string, now: number): Promise<number[]> {
  const rows = await db
    .selectFrom('events')
    .select(['name', 'properties', 'timestamp'])
    .where('contact_id', '=', contactId)
    .where('name', 'in', ['email.opened', 'email.clicked'])
    .where('timestamp', '>=', now - HISTORY_MS)
    .where('timestamp', '<=', now)
    .execute();
  return rows.filter((r) => r.name === 'email.clicked' || fromJson<JsonObject>(r.properties)?.machine === false).map((r) => Number(r.timestamp));
}

export async function workspaceProfile(db: Db, workspaceId: string): Promise<Float64Array | null> {
  const row = await db.selectFrom('stats_snapshots').select('body').where('workspace_id', '=', workspaceId).where('scope', '=', 'send_time').where('scope_id', '=', '').executeTakeFirst();
  const weights = row ? fromJson<{ weights?: number[] }>(row.body)?.weights : undefined;
  return weights && weights.length === HOURS_PER_WEEK ? Float64Array.from(weights) : null;
}

export async function chooseSendTime(db: Db, contact: { id: string; workspaceId: string }, tz: string, now: number, withinMs: number): Promise<SendTimeChoice> {
  const own = profile(await contactEngagements(db, contact.id, now), tz, now);
  return bestSendTime({ now, windowMs: withinMs, tz, contact: own, workspace: await workspaceProfile(db, contact.workspaceId) });
}

/** Recomputes one workspace's profile that is missing or older than 6 hours; returns 0 or 1. */
export async function refreshWorkspaceProfile(deps: ServiceDeps): Promise<number> {
  const now = deps.clock.now();
  const due = await sql<{ id: string; timezone: string }>`
    SELECT w.id AS id, w.timezone AS timezone FROM workspaces w
    WHERE NOT EXISTS (SELECT 1 FROM stats_snapshots s WHERE s.workspace_id = w.id AND s.scope = 'send_time' AND s.scope_id = '' AND s.computed_at > ${now - WORKSPACE_PROFILE_MAX_AGE_MS})
    ORDER BY w.id LIMIT 1`.execute(deps.store.db);
  const ws = due.rows[0];
  if (!ws) return 0;
  const t = performance.now();
  const opens = await deps.store.db
    .selectFrom('messages')
    .innerJoin('contacts', 'contacts.id', 'messages.contact_id')
    .select(['messages.first_opened_at', 'contacts.timezone'])
    .where('messages.workspace_id', '=', ws.id)
    .where('messages.first_opened_at', 'is not', null)
    .where('messages.first_opened_at', '>=', now - HISTORY_MS)
    .orderBy('messages.id', 'desc')
    .limit(WORKSPACE_SAMPLE)
    .execute();
  const total = new Float64Array(HOURS_PER_WEEK);
  for (const o of opens) addProfiles(total, profile([Number(o.first_opened_at)], o.timezone ?? ws.timezone, now));
  const body = toJson({ weights: [...total], sample: opens.length } as unknown as JsonObject);
  const computeMs = Math.round(performance.now() - t);
  await deps.store.db
    .insertInto('stats_snapshots')
    .values({ workspace_id: ws.id, scope: 'send_time', scope_id: '', body, computed_at: now, compute_ms: computeMs, refreshing_until: null })
    .onConflict((oc) => oc.columns(['workspace_id', 'scope', 'scope_id']).doUpdateSet({ body, computed_at: now, compute_ms: computeMs }))
    .execute();
  return 1;
}
