/**
 * @module Row types of the journey-runtime tables (migrations/000003.sql), for Kysely.
 */
import type { Generated } from 'kysely';
import type { JsonColumn, NullableJsonColumn } from '../../store/columns.js';

export type RunStatus = 'active' | 'waiting' | 'completed' | 'exited' | 'converted' | 'errored' | 'timed_out';

export interface JourneyRunsTable {
  id: string;
  workspace_id: string;
  journey_id: string;
  version: number;
  contact_id: string;
  status: RunStatus;
  current_node: string | null;
  visit: number;
  due_at: number | null;
  wait_event: string | null;
  wait_filters: NullableJsonColumn;
  wait_started_at: number | null;
  claimed_by: string | null;
  lease_until: number | null;
  attempts: number;
  last_error: string | null;
  trigger_props: JsonColumn;
  event_props: JsonColumn;
  data: JsonColumn;
  entered_at: number;
  updated_at: number;
  ended_at: number | null;
  exit_reason: string | null;
  goal_value: number | null;
  /** 1 while the next step is a transactional message: claimed first (migrations/000037.sql, ./lane.ts). */
  lane: Generated<number>;
}

export interface JourneyStepsTable {
  id: Generated<number>;
  run_id: string;
  workspace_id: string;
  node_id: string;
  visit: number;
  outcome: string;
  due_at: number | null;
  executed_at: number;
  detail: NullableJsonColumn;
}

export interface JourneyInboxTable {
  id: Generated<number>;
  workspace_id: string;
  kind: string;
  contact_id: string;
  payload: JsonColumn;
  created_at: number;
  claimed_by: string | null;
  lease_until: number | null;
}

export interface JourneyDateFiresTable {
  workspace_id: string;
  journey_id: string;
  contact_id: string;
  occurrence: string;
  fired_at: number;
}

export interface ChannelCountingSendsTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string;
  idempotency_key: string;
  sent_at: number;
}
