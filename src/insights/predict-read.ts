/**
 * @module Reading the stored models (their quality on the held-out period) and a contact's scores
 * with the features that explain them.
 */
import { NotFoundError } from '../core/errors.js';
import { fromJson } from '../core/json.js';
import type { Store } from '../store/store.js';
import type { ReliabilityBin } from './model.js';
import { KINDS, type Contribution, type ModelSummary, type PredictionKind } from './predict.js';

export async function listModels(store: Store, workspaceId: string): Promise<ModelSummary[]> {
  const rows = await store.db.selectFrom('insight_models').selectAll().where('workspace_id', '=', workspaceId).orderBy('kind').execute();
  return rows.map((r) => ({
    kind: r.kind as PredictionKind,
    status: r.status as ModelSummary['status'],
    trainedAt: Number(r.trained_at),
    trainCut: Number(r.train_cut),
    evalCut: Number(r.eval_cut),
    scoredCut: Number(r.scored_cut),
    trainSize: r.train_size,
    trainPositives: r.train_positives,
    evalSize: r.eval_size,
    evalPositives: r.eval_positives,
    auc: r.auc === null ? null : Number(r.auc),
    brier: r.brier === null ? null : Number(r.brier),
    calibration: fromJson<ReliabilityBin[]>(r.calibration),
    durationMs: r.duration_ms,
  }));
}

export interface ContactPrediction {
  kind: PredictionKind;
  /** Probability 0..1; null when the model is not trained or the contact is outside its population. */
  score: number | null;
  topFeatures: Contribution[];
}

export interface ContactPredictions {
  contactId: string;
  scoredAt: number | null;
  predictions: ContactPrediction[];
}

export async function contactPredictions(store: Store, workspaceId: string, contactId: string): Promise<ContactPredictions> {
  const contact = await store.db.selectFrom('contacts').select('id').where('workspace_id', '=', workspaceId).where('id', '=', contactId).executeTakeFirst();
  if (!contact) throw new NotFoundError('contact', contactId);
  const row = await store.db.selectFrom('contact_predictions').selectAll().where('workspace_id', '=', workspaceId).where('contact_id', '=', contactId).executeTakeFirst();
  const explanation = row ? fromJson<Partial<Record<PredictionKind, Contribution[]>>>(row.explanation) : {};
  return {
    contactId,
    scoredAt: row ? Number(row.scored_at) : null,
    predictions: KINDS.map((kind) => {
      const v = row?.[kind];
      return { kind, score: v === null || v === undefined ? null : Number(v), topFeatures: explanation[kind] ?? [] };
    }),
  };
}
