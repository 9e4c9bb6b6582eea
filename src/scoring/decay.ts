/**
 * @module Score decay, a worker task (listed in src/worker/tasks.ts): a workspace's decay setting
 * (e.g. 10% per 30 days) takes that share off a contact's score once per full period without
 * activity. Each row of lead_scores carries `decay_periods` (the periods since its last activity
 * already applied) and `next_decay_at` (indexed), so a tick claims up to a batch of due rows in one
 * indexed query — PostgreSQL with FOR UPDATE SKIP LOCKED, so several workers share the work — and in
 * the same transaction applies every period passed since the last run, records them (reason
 * `decay`), and moves `next_decay_at` on. A second run in the same period finds nothing due, so
 * every period is applied exactly once whatever the number of workers or runs.
 *
 * Each period takes `percent` of the score, rounded toward zero, so a score reaches 0 in the end.
 *
 * `store.dialect` only travels through here to the hand-written statements of ./apply.ts.
 */
import { sql } from 'kysely';
import type { AppDeps } from '../core/app-deps.js';
import type { ServiceDeps } from '../core/deps.js';
import type { WorkerTask } from '../worker/worker.js';
import { inActiveWorkspace } from '../workspaces/archived.js';
import { decayOf, type Decay } from './catalog.js';
import { writeChanges, writeStates, type ScoreChange, type ScoreState } from './apply.js';

export const DECAY_BATCH = 500;

type Due = { contact_id: string; workspace_id: string; score: number; last_activity_at: number; decay_periods: number };

/** The score after `periods` periods of decay. */
export function decayed(score: number, percent: number, periods: number): number {
  let s = score;
  for (let i = 0; i < periods && s !== 0; i++) s = Math.trunc((s * (100 - percent)) / 100);
  return s;
}

/** Applies the decay due now to up to `batch` scores; returns how many rows it handled. */
export async function decayScores(deps: ServiceDeps, batch = DECAY_BATCH): Promise<number> {
  const { store, clock } = deps;
  const out = { dialect: store.dialect, signals: deps.signals };
  const now = clock.now();
  return store.transaction(async (trx) => {
    const due = (
      await sql<Due>`SELECT contact_id, workspace_id, score, last_activity_at, decay_periods FROM lead_scores
        WHERE next_decay_at <= ${now} AND ${inActiveWorkspace('lead_scores.workspace_id')}
        ORDER BY next_decay_at LIMIT ${batch} ${store.adapter.skipLocked}`.execute(trx)
    ).rows;
    const byWorkspace = new Map<string, Due[]>();
    for (const d of due) byWorkspace.set(d.workspace_id, [...(byWorkspace.get(d.workspace_id) ?? []), d]);
    for (const [workspaceId, rows] of byWorkspace) {
      const decay = await decayOf(trx, workspaceId);
      const states = new Map<string, ScoreState>();
      const changes: ScoreChange[] = [];
      for (const r of rows) {
        const st: ScoreState = { contactId: r.contact_id, score: Number(r.score), lastActivityAt: Number(r.last_activity_at), decayPeriods: Number(r.decay_periods) };
        states.set(st.contactId, st);
        if (!decay) continue; // decay was turned off: writeStates clears next_decay_at
        const change = decayChange(st, decay, now);
        if (change) changes.push(change);
      }
      const entries = await writeChanges(trx, out, workspaceId, states, changes, decay, now);
      const written = new Set(entries.map((e) => e.contactId));
      await writeStates(
        trx,
        store.dialect,
        [...states.values()].filter((s) => !written.has(s.contactId)),
        decay,
        now,
      );
    }
    return due.length;
  });
}

/** Moves the state's decay count to now and returns the score change it makes (if any). */
function decayChange(st: ScoreState, decay: Decay, now: number): ScoreChange | null {
  const elapsed = Math.floor((now - st.lastActivityAt) / decay.periodMs);
  const periods = elapsed - st.decayPeriods;
  if (periods <= 0) return null;
  st.decayPeriods = elapsed;
  const to = decayed(st.score, decay.percent, periods);
  return { contactId: st.contactId, delta: to - st.score, reason: 'decay', detail: { periods, percent: decay.percent } };
}

export function decayTask(deps: ServiceDeps): WorkerTask {
  return { name: 'scoring-decay', tick: () => decayScores(deps) };
}

/** The factory src/worker/tasks.ts lists. */
export const scoringTasks = (deps: AppDeps): WorkerTask => decayTask(deps);
