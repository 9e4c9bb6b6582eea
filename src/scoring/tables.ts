/**
 * @module Row types of the lead-scoring tables (migrations/000009.sql), for Kysely.
 */
import type { ColumnType, Generated } from 'kysely';
import type { JsonColumn, NullableJsonColumn } from '../store/columns.js';

export type RuleKind = 'event' | 'attribute';

export interface ScoringRulesTable {
  id: string;
  workspace_id: string;
  name: string;
  kind: RuleKind;
  /** event: { event, where }; attribute: { condition }. Decode with `fromJson`. */
  definition: JsonColumn;
  points: number;
  max_per_contact: number | null;
  max_per_period: number | null;
  period_ms: number | null;
  enabled: number;
  created_at: number;
  updated_at: number;
}

export interface ScoringSettingsTable {
  workspace_id: string;
  decay_percent: number;
  decay_period_ms: number;
  updated_at: number;
}

export interface LeadScoresTable {
  contact_id: string;
  workspace_id: string;
  score: number;
  last_activity_at: number;
  decay_periods: ColumnType<number, number | undefined, number>;
  next_decay_at: number | null;
  updated_at: number;
}

export type ScoreReason = 'rule' | 'decay' | 'manual' | 'attribute' | 'merge';

export interface ScoreHistoryTable {
  id: Generated<number>;
  workspace_id: string;
  contact_id: string;
  delta: number;
  score_from: number;
  score_to: number;
  reason: ScoreReason;
  rule_id: string | null;
  detail: NullableJsonColumn;
  at: number;
}
