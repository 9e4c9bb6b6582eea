/**
 * @module Row types of the insight tables (migrations/000024.sql), for Kysely.
 */
import type { JsonColumn } from '../store/columns.js';

export interface InsightModelsTable {
  workspace_id: string;
  /** conversion_30d | churn_30d */
  kind: string;
  /** trained | insufficient_data */
  status: string;
  trained_at: number;
  train_cut: number;
  eval_cut: number;
  scored_cut: number;
  train_size: number;
  train_positives: number;
  eval_size: number;
  eval_positives: number;
  auc: number | null;
  brier: number | null;
  calibration: JsonColumn;
  model: JsonColumn;
  duration_ms: number;
}

export interface ContactPredictionsTable {
  workspace_id: string;
  contact_id: string;
  conversion_30d: number | null;
  churn_30d: number | null;
  explanation: JsonColumn;
  scored_at: number;
}
