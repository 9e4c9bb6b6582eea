/**
 * @module Inactivity bookkeeping for decay, inside the ingesting transaction: a contact's events move
 * its score row's `last_activity_at` forward and start the decay count again. One UPDATE … FROM a
 * JSON array per group (rows that do not exist are not created: a contact without a score has
 * nothing to decay). Scoring's own events and delivery reports about mail sent to the contact are
 * not the contact's activity.
 *
 * Hand-written, so it reads the dialect: the rows travel as one JSON parameter (`jsonb_array_elements`
 * on PostgreSQL, `json_each` on SQLite), one statement per group however many contacts it touches.
 */
import { CompiledQuery } from 'kysely';
import type { StoredEvent } from '../events/signals.js';
import type { Db, DialectName } from '../store/store.js';
import type { Decay } from './catalog.js';
import { SCORE_EVENT } from './rule.js';

const NOT_ACTIVITY = new Set([SCORE_EVENT, 'email.delivered', 'email.bounced']);

const TEXT = {
  postgres: `UPDATE lead_scores s SET last_activity_at = (r->>1)::bigint, decay_periods = 0,
    next_decay_at = CASE WHEN s.score = 0 OR $2::bigint IS NULL THEN NULL ELSE (r->>1)::bigint + $2::bigint END
    FROM jsonb_array_elements($1::jsonb) AS r WHERE s.contact_id = r->>0 AND s.last_activity_at < (r->>1)::bigint`,
  sqlite: `UPDATE lead_scores SET last_activity_at = value->>1, decay_periods = 0,
    next_decay_at = CASE WHEN score = 0 OR ? IS NULL THEN NULL ELSE (value->>1) + ? END
    FROM json_each(?) WHERE lead_scores.contact_id = value->>0 AND last_activity_at < value->>1`,
};

/** Latest activity per contact among the events (a client time in the future counts as now). */
export function activityOf(events: readonly StoredEvent[], now: number): Map<string, number> {
  const at = new Map<string, number>();
  for (const e of events) {
    // Segment entries and exits (type `segment`) are Qatra's bookkeeping, not the contact's doing.
    if (NOT_ACTIVITY.has(e.name) || e.type === 'segment') continue;
    const t = Math.min(e.timestamp, now);
    if ((at.get(e.contactId) ?? -Infinity) < t) at.set(e.contactId, t);
  }
  return at;
}

export async function recordActivity(trx: Db, dialect: DialectName, activity: Map<string, number>, decay: Decay | null): Promise<void> {
  if (activity.size === 0) return;
  const rows = JSON.stringify([...activity]);
  const period = decay?.periodMs ?? null;
  const params = dialect === 'postgres' ? [rows, period] : [period, period, rows];
  await trx.executeQuery(CompiledQuery.raw(TEXT[dialect], params));
}
