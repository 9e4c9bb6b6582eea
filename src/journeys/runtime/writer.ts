/**
 * @module Writes a step's outcome in the caller's transaction: first the run is moved — conditional on
 * this claim still holding it at the expected visit and the run still open — and only if that
 * succeeded are the step rows (UNIQUE (run_id, node_id, visit): a step executes at most once) and the
 * effects written. A run ended meanwhile (goal, exit event, contact deleted) or taken over after a
 * lease expiry is left alone.
 */
import type { Db } from '../../store/store.js';
import { toJson, fromJson, type JsonObject } from '../../core/json.js';
import { emitSignals } from '../../events/signals.js';
import type { Run } from './run.js';
import type { Effect } from './step.js';
import type { RunPatch, StepRecord } from './walk.js';

export interface CommitItem {
  run: Run;
  expectVisit: number;
  patch: RunPatch;
  steps: StepRecord[];
  effects: Effect[];
  /** Keep the lease (a send is about to happen for this run). */
  keepLease: boolean;
  /** The version the run continues on (it may move to a newer live version). */
  version: number;
}

export async function commitItem(trx: Db, token: string, now: number, leaseUntil: number, item: CommitItem): Promise<boolean> {
  const p = item.patch;
  const res = await trx
    .updateTable('journey_runs')
    .set({
      status: p.status,
      version: item.version,
      current_node: p.node,
      visit: p.visit,
      due_at: p.dueAt,
      wait_event: p.wait?.event ?? null,
      wait_filters: p.wait ? toJson(p.wait.where) : null,
      wait_started_at: p.wait?.startedAt ?? null,
      attempts: p.attempts,
      last_error: p.lastError,
      ended_at: p.endedAt,
      exit_reason: p.exitReason,
      updated_at: now,
      claimed_by: item.keepLease ? token : null,
      lease_until: item.keepLease ? leaseUntil : null,
    })
    .where('id', '=', item.run.id)
    .where('claimed_by', '=', token)
    .where('visit', '=', item.expectVisit)
    .where('ended_at', 'is', null)
    .executeTakeFirst();
  if (Number(res.numUpdatedRows) === 0) return false;
  await insertSteps(trx, item.run, item.steps, now);
  for (const effect of item.effects) await applyEffect(trx, item.run, effect, now);
  return true;
}

export async function insertSteps(trx: Db, run: Pick<Run, 'id' | 'workspaceId'>, steps: readonly StepRecord[], now: number): Promise<void> {
  if (steps.length === 0) return;
  await trx
    .insertInto('journey_steps')
    .values(
      steps.map((s) => ({
        run_id: run.id,
        workspace_id: run.workspaceId,
        node_id: s.nodeId,
        visit: s.visit,
        outcome: s.outcome,
        due_at: s.dueAt,
        executed_at: now,
        detail: s.detail ? toJson(s.detail) : null,
      })),
    )
    .onConflict((oc) => oc.doNothing())
    .execute();
}

async function applyEffect(trx: Db, run: Run, effect: Effect, now: number): Promise<void> {
  switch (effect.type) {
    case 'set_attributes': {
      const row = await trx.selectFrom('contacts').select('attributes').where('id', '=', run.contactId).executeTakeFirst();
      if (!row) return;
      const attributes = { ...(fromJson<JsonObject>(row.attributes) ?? {}), ...(effect.set as JsonObject) };
      await trx.updateTable('contacts').set({ attributes: toJson(attributes), updated_at: now }).where('id', '=', run.contactId).execute();
      await emitSignals(trx, [{ kind: 'contact_updated', workspaceId: run.workspaceId, contactId: run.contactId, changed: Object.keys(effect.set) }], now);
      return;
    }
    default: {
      const never: never = effect.type;
      throw new Error(`unknown effect ${String(never)}`);
    }
  }
}
