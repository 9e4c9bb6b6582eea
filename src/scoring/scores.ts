/**
 * @module A contact's score: the current value with a page of its history (newest first), a manual
 * adjustment (by a delta or to a value, reason `manual` with an optional note), and the workspace's
 * decay setting.
 *
 * `store.dialect` only travels through here to the hand-written statements of ./apply.ts.
 */
import { sql } from 'kysely';
import { z } from 'zod';
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import { fromJson, type JsonObject } from '../core/json.js';
import { parseOrThrow } from '../core/parse.js';
import { Duration } from '../journeys/definition/schema.js';
import { DEFAULT_DECAY_PERIOD_MS, decayOf } from './catalog.js';
import { lockScores, writeChanges, type HistoryEntry } from './apply.js';
import { periodMs, periodText } from './rule.js';

export interface ContactScore {
  contactId: string;
  score: number;
  lastActivityAt: number | null;
  history: HistoryEntry[];
}

async function assertContact(deps: ServiceDeps, workspaceId: string, contactId: string): Promise<void> {
  const c = await deps.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  if (!c) throw new NotFoundError('contact', contactId);
}

/** The score and up to `limit + 1` history entries older than `beforeId` (the extra one says there is more). */
export async function getScore(deps: ServiceDeps, workspaceId: string, contactId: string, page: { limit: number; beforeId?: number | undefined }): Promise<ContactScore> {
  await assertContact(deps, workspaceId, contactId);
  const db = deps.store.db;
  const row = await db.selectFrom('lead_scores').select(['score', 'last_activity_at']).where('contact_id', '=', contactId).executeTakeFirst();
  let q = db
    .selectFrom('score_history')
    .selectAll()
    .where('contact_id', '=', contactId)
    .orderBy('id', 'desc')
    .limit(page.limit + 1);
  if (page.beforeId !== undefined) q = q.where('id', '<', page.beforeId);
  const history = (await q.execute()).map((h) => ({
    id: Number(h.id),
    contactId: h.contact_id,
    delta: Number(h.delta),
    from: Number(h.score_from),
    to: Number(h.score_to),
    reason: h.reason,
    ruleId: h.rule_id,
    detail: h.detail === null ? null : fromJson<JsonObject>(h.detail),
    at: Number(h.at),
  }));
  return { contactId, score: row ? Number(row.score) : 0, lastActivityAt: row ? Number(row.last_activity_at) : null, history };
}

export const adjustBody = z
  .strictObject({
    delta: z.number().int().min(-1_000_000).max(1_000_000).optional().describe('Points to add (negative: remove)'),
    set: z.number().int().min(-1_000_000).max(1_000_000).optional().describe('The new score'),
    note: z.string().max(500).optional().describe('Why; kept in the history'),
  })
  .refine((b) => (b.delta === undefined) !== (b.set === undefined), { message: 'give exactly one of delta or set', path: ['delta'] });

/** Changes a score by hand; returns the history entry (null when it did not change). */
export async function adjustScore(deps: ServiceDeps, workspaceId: string, contactId: string, raw: unknown): Promise<{ score: number; entry: HistoryEntry | null }> {
  const body = parseOrThrow(adjustBody, raw);
  await assertContact(deps, workspaceId, contactId);
  return deps.store.transaction(async (trx) => {
    const now = deps.clock.now();
    const decay = await decayOf(trx, workspaceId);
    const states = await lockScores(trx, workspaceId, [contactId], now);
    const st = states.get(contactId)!;
    const delta = body.delta ?? body.set! - st.score;
    const [entry] = await writeChanges(
      trx,
      { dialect: deps.store.dialect, signals: deps.signals },
      workspaceId,
      states,
      [{ contactId, delta, reason: 'manual', detail: body.note ? { note: body.note } : null }],
      decay,
      now,
    );
    return { score: st.score, entry: entry ?? null };
  });
}

export const settingsBody = z.strictObject({
  decayPercent: z.number().int().min(0).max(100).describe('Percent of the score removed per full period of inactivity; 0 turns decay off'),
  decayPeriod: Duration.default('30d').describe('The period, e.g. 30d (a "month")'),
});

export interface ScoringSettings {
  decayPercent: number;
  decayPeriod: string;
}

export async function getSettings(deps: ServiceDeps, workspaceId: string): Promise<ScoringSettings> {
  const row = await deps.store.db.selectFrom('scoring_settings').selectAll().where('workspace_id', '=', workspaceId).executeTakeFirst();
  return { decayPercent: row ? Number(row.decay_percent) : 0, decayPeriod: periodText(row ? Number(row.decay_period_ms) : DEFAULT_DECAY_PERIOD_MS) };
}

/**
 * Stores the decay setting. It is not retroactive: the periods of inactivity already passed count as
 * applied, and every score's next decay is recomputed from its last activity (one UPDATE).
 */
export async function putSettings(deps: ServiceDeps, workspaceId: string, raw: unknown): Promise<ScoringSettings> {
  const body = parseOrThrow(settingsBody, raw);
  const period = periodMs(body.decayPeriod);
  const now = deps.clock.now();
  await deps.store.transaction(async (trx) => {
    const before = await trx.selectFrom('scoring_settings').select('updated_at').where('workspace_id', '=', workspaceId).executeTakeFirst();
    const values = { decay_percent: body.decayPercent, decay_period_ms: period, updated_at: Math.max(now, Number(before?.updated_at ?? 0) + 1) };
    await trx
      .insertInto('scoring_settings')
      .values({ workspace_id: workspaceId, ...values })
      .onConflict((oc) => oc.column('workspace_id').doUpdateSet(values))
      .execute();
    const scores = trx.updateTable('lead_scores').where('workspace_id', '=', workspaceId);
    if (body.decayPercent === 0) await scores.set({ next_decay_at: null }).execute();
    else {
      // Whole periods since the last activity; CAST truncates should a backend divide in floating point,
      // and bigint keeps PostgreSQL from typing the period parameter as a 32-bit integer.
      const elapsed = sql<number>`CAST((${now} - last_activity_at) / ${period} AS bigint)`;
      await scores
        .set({ decay_periods: elapsed, next_decay_at: sql<number>`last_activity_at + (${elapsed} + 1) * CAST(${period} AS bigint)` })
        .where('score', '<>', 0)
        .execute();
    }
  });
  deps.signals.forget(workspaceId);
  return getSettings(deps, workspaceId);
}
