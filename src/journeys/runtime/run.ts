/**
 * @module The Run: one contact's walk through one journey version. `(node, visit)` names the next
 * step to execute; `visit` counts every step of the run, so a node visited twice (a loop) gets two
 * different step keys.
 */
import type { Selectable } from 'kysely';
import { fromJson, type JsonObject } from '../../core/json.js';
import type { JourneyRunsTable, RunStatus } from './tables.js';
import type { PropertyFilter } from '../definition/schema.js';

export interface Run {
  id: string;
  workspaceId: string;
  journeyId: string;
  version: number;
  contactId: string;
  status: RunStatus;
  node: string | null;
  visit: number;
  dueAt: number | null;
  wait: { event: string; where: PropertyFilter[] | null; startedAt: number } | null;
  claimedBy: string | null;
  attempts: number;
  lastError: string | null;
  trigger: JsonObject;
  event: JsonObject;
  data: JsonObject;
  enteredAt: number;
  endedAt: number | null;
  exitReason: string | null;
  goalValue: number | null;
}

export type RunRow = Selectable<JourneyRunsTable>;

export const OPEN_STATUSES: readonly RunStatus[] = ['active', 'waiting'];

export function toRun(row: RunRow): Run {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    journeyId: row.journey_id,
    version: Number(row.version),
    contactId: row.contact_id,
    status: row.status,
    node: row.current_node,
    visit: Number(row.visit),
    dueAt: row.due_at === null ? null : Number(row.due_at),
    wait: row.wait_event ? { event: row.wait_event, where: fromJson<PropertyFilter[] | null>(row.wait_filters), startedAt: Number(row.wait_started_at) } : null,
    claimedBy: row.claimed_by,
    attempts: Number(row.attempts),
    lastError: row.last_error,
    trigger: fromJson<JsonObject>(row.trigger_props) ?? {},
    event: fromJson<JsonObject>(row.event_props) ?? {},
    data: fromJson<JsonObject>(row.data) ?? {},
    enteredAt: Number(row.entered_at),
    endedAt: row.ended_at === null ? null : Number(row.ended_at),
    exitReason: row.exit_reason,
    goalValue: row.goal_value === null ? null : Number(row.goal_value),
  };
}

/** The run as the HTTP API shows it. */
export function runView(run: Run) {
  return {
    id: run.id,
    journeyId: run.journeyId,
    version: run.version,
    contactId: run.contactId,
    status: run.status,
    currentNode: run.node,
    dueAt: run.dueAt,
    waitingFor: run.wait?.event ?? null,
    attempts: run.attempts,
    lastError: run.lastError,
    enteredAt: run.enteredAt,
    endedAt: run.endedAt,
    exitReason: run.exitReason,
    goalValue: run.goalValue,
  };
}
