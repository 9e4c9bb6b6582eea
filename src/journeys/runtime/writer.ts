/**
 * @module Writes steps' outcomes in the caller's transaction: first the runs are moved (one statement,
 * ./bulk.ts) — each conditional on this claim still holding it at the expected visit and the run still
 * open — and only for the runs moved are the step rows (UNIQUE (run_id, node_id, visit): a step executes at most once) and the
 * effects written. A run ended meanwhile (goal, exit event, contact deleted) or taken over after a
 * lease expiry is left alone.
 *
 * `dialect` only travels through here to the batched statements of ./bulk.ts and src/deliveries/rows.ts
 * (measured there).
 */
import type { Db, DialectName } from '../../store/store.js';
import { insertStepRows, moveRuns, stillHeld, type StepRow } from './bulk.js';
import { toJson, fromJson, type JsonObject } from '../../core/json.js';
import type { Signals } from '../../events/signals.js';
import type { Run } from './run.js';
import type { Effect } from './step.js';
import type { RunPatch, StepRecord } from './walk.js';
import type { JourneyDocument } from '../definition/schema.js';
import { laneOf, MARKETING_LANE } from './lane.js';

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
  /** The document of that version (for the run's claim lane, ./lane.ts); null when the run ends before its walk. */
  doc: JourneyDocument | null;
}

/**
 * A run about to send whose message was the first node of its claim: the claim already wrote all a
 * move would (claimed by this token until the same `leaseUntil`, at this node and visit, nothing
 * to clear), so the row is only checked, not rewritten (only its `due_at` keeps the claimed value,
 * which is as due). Measured with bench/journeys.ts: the message batches' moves were a third of
 * all run moves.
 */
function held(item: CommitItem): boolean {
  const { run, patch: p } = item;
  return (
    item.keepLease &&
    item.steps.length === 0 &&
    item.effects.length === 0 &&
    item.expectVisit === run.visit &&
    item.version === run.version &&
    run.status === 'active' &&
    run.wait === null &&
    run.lastError === null &&
    p.status === 'active' &&
    p.node === run.node &&
    p.visit === run.visit &&
    p.attempts === run.attempts &&
    p.lastError === null
  );
}

/** Writes a batch of walks; returns the ids of the runs it moved (the others were not ours any more). */
export async function commitBatch(trx: Db, out: { dialect: DialectName; signals: Signals }, token: string, now: number, leaseUntil: number, items: readonly CommitItem[]): Promise<Set<string>> {
  const { dialect } = out;
  const holding = items.filter(held);
  const moving = holding.length === 0 ? items : items.filter((i) => !held(i));
  const moved = await moveRuns(
    trx,
    dialect,
    token,
    now,
    leaseUntil,
    moving.map((item) => {
      const p = item.patch;
      return {
        id: item.run.id,
        expect: item.expectVisit,
        status: p.status,
        version: item.version,
        node: p.node,
        visit: p.visit,
        due_at: p.dueAt,
        wait_event: p.wait?.event ?? null,
        wait_filters: p.wait ? p.wait.where : null,
        wait_started_at: p.wait?.startedAt ?? null,
        attempts: p.attempts,
        last_error: p.lastError,
        ended_at: p.endedAt,
        exit_reason: p.exitReason,
        lane: item.doc && p.dueAt !== null ? laneOf(item.doc, p.node) : MARKETING_LANE,
        keep: item.keepLease,
        continuing: p.endedAt === null && p.exitReason === null && p.status === item.run.status,
      };
    }),
  );
  for (const id of await stillHeld(
    trx,
    token,
    holding.map((i) => i.run.id),
  ))
    moved.add(id);
  const done = items.filter((i) => moved.has(i.run.id));
  await insertStepRows(
    trx,
    dialect,
    done.flatMap((i) => i.steps.map((s) => stepRow(i.run, s, now))),
  );
  for (const item of done) for (const effect of item.effects) await applyEffect(trx, out.signals, item.run, effect, now);
  return moved;
}

function stepRow(run: Pick<Run, 'id' | 'workspaceId'>, s: StepRecord, now: number): StepRow {
  return {
    run_id: run.id,
    workspace_id: run.workspaceId,
    node_id: s.nodeId,
    visit: s.visit,
    outcome: s.outcome,
    due_at: s.dueAt,
    executed_at: now,
    detail: s.detail ? toJson(s.detail) : null,
  };
}

export async function insertSteps(trx: Db, dialect: DialectName, run: Pick<Run, 'id' | 'workspaceId'>, steps: readonly StepRecord[], now: number): Promise<void> {
  await insertStepRows(
    trx,
    dialect,
    steps.map((s) => stepRow(run, s, now)),
  );
}

async function applyEffect(trx: Db, signals: Signals, run: Run, effect: Effect, now: number): Promise<void> {
  switch (effect.type) {
    case 'set_attributes': {
      const row = await trx.selectFrom('contacts').select('attributes').where('id', '=', run.contactId).executeTakeFirst();
      if (!row) return;
      const attributes = { ...(fromJson<JsonObject>(row.attributes) ?? {}), ...(effect.set as JsonObject) };
      await trx
        .updateTable('contacts')
        .set({ attributes: toJson(attributes), updated_at: now })
        .where('id', '=', run.contactId)
        .execute();
      await signals.emit(trx, [{ kind: 'contact_updated', workspaceId: run.workspaceId, contactId: run.contactId, changed: Object.keys(effect.set) }], now);
      return;
    }
    default: {
      const never: never = effect.type;
      throw new Error(`unknown effect ${String(never)}`);
    }
  }
}
