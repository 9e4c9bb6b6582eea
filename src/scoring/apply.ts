/**
 * @module Changing scores, inside the caller's transaction (the ingesting one for rules, the decay
 * task's, a manual adjustment's), so a score change commits with what caused it or not at all:
 *
 *  1. `lockScores`: the contacts' lead_scores rows, created at 0 when missing, and on PostgreSQL
 *     locked (the upsert takes the row lock, in contact order) so concurrent groups cannot lose each other's points or
 *     both pass a cap;
 *  2. `writeChanges`: one score_history row per change (from, to, reason), then per contact the new
 *     score, the mirror in contacts.attributes.lead_score (what segments, branches and templates
 *     read), and one `lead_score.changed` event with the net { from, to } of this transaction, so a
 *     journey triggered by "to >= 50 and from < 50" starts when a score crosses 50. The event and a
 *     `contact_updated` (attributes.lead_score) are emitted as signals: segments on the score are
 *     marked dirty and journeys get the event.
 *
 * Rows are written with one statement per kind whose rows travel as ONE JSON array parameter
 * (as src/events/insert-events.ts does), so a decay batch of 500 contacts is a handful of statements.
 *
 * Those statements are why it takes the dialect (`jsonb_to_recordset`/`jsonb_array_elements` vs `json_each`).
 */
import { CompiledQuery } from 'kysely';
import { toJson, type JsonObject } from '../core/json.js';
import type { Signal, Signals } from '../events/signals.js';
import { insertEvents } from '../events/insert-events.js';
import type { Db, DialectName } from '../store/store.js';
import { nextDecayAt, type Decay } from './catalog.js';
import { SCORE_EVENT } from './rule.js';
import type { ScoreReason } from './tables.js';

export interface ScoreState {
  contactId: string;
  score: number;
  lastActivityAt: number;
  decayPeriods: number;
}

export interface ScoreChange {
  contactId: string;
  delta: number;
  reason: ScoreReason;
  ruleId?: string | null | undefined;
  detail?: JsonObject | null | undefined;
}

export interface HistoryEntry {
  id: number;
  contactId: string;
  delta: number;
  from: number;
  to: number;
  reason: ScoreReason;
  ruleId: string | null;
  detail: JsonObject | null;
  at: number;
}

const CHUNK = 500;

/**
 * The contact_updated signals writeChanges emits itself (the sink need not check their mirror).
 * Module-level on purpose: a mark on signal objects (weakly held, gone with the signal), not a cache;
 * a signal object belongs to one runtime, so two runtimes cannot see each other's marks.
 */
const own = new WeakSet<Signal>();
export const isOwnSignal = (s: Signal): boolean => own.has(s);

/** The contacts' score rows (created at 0 when missing), locked on PostgreSQL until commit. */
export async function lockScores(trx: Db, workspaceId: string, contactIds: readonly string[], now: number): Promise<Map<string, ScoreState>> {
  const ids = [...new Set(contactIds)].sort();
  const out = new Map<string, ScoreState>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const chunk = ids.slice(i, i + CHUNK);
    // One statement: a missing row is created, an existing one is "updated" to itself, which on
    // PostgreSQL takes its row lock, and either way RETURNING gives the current values.
    const rows = await trx
      .insertInto('lead_scores')
      .values(chunk.map((id) => ({ contact_id: id, workspace_id: workspaceId, score: 0, last_activity_at: now, decay_periods: 0, next_decay_at: null, updated_at: now })))
      .onConflict((oc) => oc.column('contact_id').doUpdateSet({ contact_id: (eb) => eb.ref('excluded.contact_id') }))
      .returning(['contact_id', 'score', 'last_activity_at', 'decay_periods'])
      .execute();
    for (const r of rows) {
      out.set(r.contact_id, { contactId: r.contact_id, score: Number(r.score), lastActivityAt: Number(r.last_activity_at), decayPeriods: Number(r.decay_periods) });
    }
  }
  return out;
}

const UPDATE_SCORES = {
  postgres: `UPDATE lead_scores s SET score = (r->>1)::integer, last_activity_at = (r->>2)::bigint, decay_periods = (r->>3)::integer,
    next_decay_at = (r->>4)::bigint, updated_at = $2 FROM jsonb_array_elements($1::jsonb) AS r WHERE s.contact_id = r->>0`,
  sqlite: `UPDATE lead_scores SET score = value->>1, last_activity_at = value->>2, decay_periods = value->>3,
    next_decay_at = value->>4, updated_at = ? FROM json_each(?) WHERE lead_scores.contact_id = value->>0`,
};

const MIRROR = {
  postgres: `UPDATE contacts c SET attributes = jsonb_set(c.attributes, '{lead_score}', to_jsonb((r->>1)::integer)), updated_at = $2
    FROM jsonb_array_elements($1::jsonb) AS r WHERE c.id = r->>0`,
  sqlite: `UPDATE contacts SET attributes = json_set(attributes, '$.lead_score', CAST(value->>1 AS integer)), updated_at = ?
    FROM json_each(?) WHERE contacts.id = value->>0`,
};

function run(trx: Db, dialect: DialectName, text: { postgres: string; sqlite: string }, rows: unknown[][], now: number) {
  // PostgreSQL takes ($1 rows, $2 now); the SQLite text names now first.
  const params = dialect === 'postgres' ? [JSON.stringify(rows), now] : [now, JSON.stringify(rows)];
  return trx.executeQuery(CompiledQuery.raw(text[dialect], params));
}

/** Sets contacts.attributes.lead_score to the given scores. */
export async function mirror(trx: Db, dialect: DialectName, scores: readonly [string, number][], now: number): Promise<void> {
  for (let i = 0; i < scores.length; i += CHUNK) await run(trx, dialect, MIRROR, scores.slice(i, i + CHUNK) as unknown[][], now);
}

/** Writes the given score rows back as they are (score, activity, decay state). */
export async function writeStates(trx: Db, dialect: DialectName, states: readonly ScoreState[], decay: Decay | null, now: number): Promise<void> {
  if (states.length === 0) return;
  for (let i = 0; i < states.length; i += CHUNK) {
    const rows = states.slice(i, i + CHUNK).map((s) => [s.contactId, s.score, s.lastActivityAt, s.decayPeriods, nextDecayAt(decay, s.score, s.lastActivityAt, s.decayPeriods)]);
    await run(trx, dialect, UPDATE_SCORES, rows, now);
  }
}

/**
 * Applies the changes in order to the locked `states` (a delta of 0 is skipped), records them and
 * emits their signals. The touched states are written back whole, so a caller that also changed a
 * state's decay periods or activity (the decay task) has those stored too.
 */
/** What writing score changes needs: the backend (hand-written statements) and where their signals go. */
export interface ScoreWriter {
  dialect: DialectName;
  signals: Signals;
}

export async function writeChanges(
  trx: Db,
  out: ScoreWriter,
  workspaceId: string,
  states: Map<string, ScoreState>,
  changes: readonly ScoreChange[],
  decay: Decay | null,
  now: number,
): Promise<HistoryEntry[]> {
  const pending: Omit<HistoryEntry, 'id'>[] = [];
  const first = new Map<string, number>();
  for (const c of changes) {
    const st = states.get(c.contactId);
    if (!st) throw new Error(`score of contact ${c.contactId} was not locked`);
    if (c.delta === 0) continue;
    if (!first.has(c.contactId)) {
      first.set(c.contactId, st.score);
      // A score that was 0 had nothing to decay: its inactivity so far must not eat the new points.
      if (st.score === 0 && decay) st.decayPeriods = Math.max(st.decayPeriods, Math.floor((now - st.lastActivityAt) / decay.periodMs));
    }
    const from = st.score;
    st.score = from + c.delta;
    pending.push({ contactId: c.contactId, delta: c.delta, from, to: st.score, reason: c.reason, ruleId: c.ruleId ?? null, detail: c.detail ?? null, at: now });
  }
  if (pending.length === 0) return [];
  const entries: HistoryEntry[] = [];
  for (let i = 0; i < pending.length; i += CHUNK) {
    const chunk = pending.slice(i, i + CHUNK);
    const ids = await trx
      .insertInto('score_history')
      .values(
        chunk.map((p) => ({
          workspace_id: workspaceId,
          contact_id: p.contactId,
          delta: p.delta,
          score_from: p.from,
          score_to: p.to,
          reason: p.reason,
          rule_id: p.ruleId,
          detail: p.detail === null ? null : toJson(p.detail),
          at: now,
        })),
      )
      .returning('id')
      .execute();
    // Serial ids are drawn in VALUES order, so sorted ids match the rows whatever order RETURNING uses.
    const sorted = ids.map((r) => Number(r.id)).sort((a, b) => a - b);
    chunk.forEach((p, k) => entries.push({ ...p, id: sorted[k]! }));
  }

  const touched = [...first.keys()].map((id) => states.get(id)!);
  await writeStates(trx, out.dialect, touched, decay, now);
  await mirror(
    trx,
    out.dialect,
    touched.map((s) => [s.contactId, s.score]),
    now,
  );
  await emitChanged(trx, out, workspaceId, entries, first, now);
  return entries;
}

/** One `lead_score.changed` event per contact whose score moved (net over this transaction). */
async function emitChanged(trx: Db, out: ScoreWriter, workspaceId: string, entries: HistoryEntry[], first: Map<string, number>, now: number): Promise<void> {
  const last = new Map<string, HistoryEntry>();
  const reasons = new Map<string, Set<string>>();
  for (const e of entries) {
    last.set(e.contactId, e);
    const r = reasons.get(e.contactId) ?? new Set<string>();
    r.add(e.ruleId ? `rule:${e.ruleId}` : e.reason);
    reasons.set(e.contactId, r);
  }
  const rows = [];
  for (const [contactId, e] of last) {
    const from = first.get(contactId)!;
    if (from === e.to) continue;
    const properties: JsonObject = { from, to: e.to, delta: e.to - from, reasons: [...reasons.get(contactId)!], historyId: e.id };
    // The last history id makes the event's messageId unique and a replay impossible.
    rows.push({ contactId, type: 'track', name: SCORE_EVENT, properties, context: {}, messageId: `lead_score:${e.id}`, timestamp: now, receivedAt: now });
  }
  const signals: Signal[] = [];
  for (let i = 0; i < rows.length; i += CHUNK) {
    const chunk = rows.slice(i, i + CHUNK);
    const inserted = await insertEvents(trx, out.dialect, workspaceId, chunk);
    const byMessage = new Map(chunk.map((r) => [r.messageId, r]));
    for (const ins of inserted) {
      const r = byMessage.get(ins.message_id)!;
      signals.push({ kind: 'event', event: { id: Number(ins.id), workspaceId, contactId: r.contactId, type: r.type, name: r.name, properties: r.properties, timestamp: now, receivedAt: now } });
    }
  }
  for (const contactId of first.keys()) {
    const updated: Signal = { kind: 'contact_updated', workspaceId, contactId, changed: ['attributes.lead_score'] };
    own.add(updated);
    signals.push(updated);
  }
  await out.signals.emit(trx, signals, now);
}
