/**
 * @module Training, evaluating and scoring the two per-contact predictions of a workspace:
 * `conversion_30d` (an `Order Completed` event in the next 30 days) and `churn_30d` (no event at all
 * in the next 30 days, for contacts active in the 90 days before).
 *
 * The time-based split, with T the training time (the injected clock):
 *  - train on the contacts' state at T − 60d (features from before it) with the outcome of
 *    [T − 60d, T − 30d);
 *  - evaluate, on the later cut T − 30d, the same fitted model against the outcome of [T − 30d, T):
 *    a period the model never saw, so AUC, Brier and the reliability bins are what the model does
 *    on a future it did not see, not how well it remembers its training rows;
 *  - score every contact's state at T (the prediction is for [T, T + 30d)) with that same model,
 *    so the quality reported is the quality of the scores in use.
 * A random split of one period would let the model learn that period's quirks and report them as
 * skill (./predict.test.ts checks the cuts and the counts of each period).
 *
 * Training uses at most 200,000 contacts (a deterministic sample): Newton's method costs
 * rows × features² per step, and the coefficients no longer move beyond that size.
 */
import { toJson } from '../core/json.js';
import type { Clock } from '../core/clock.js';
import type { Store } from '../store/store.js';
import { seededRandom } from '../stats/probability.js';
import { DAY_MS, featureLayout, featuresAt, type FeatureSet } from './features.js';
import { auc, brier, fitLogistic, predictRow, reliability, type LogisticModel, type ReliabilityBin } from './model.js';

export const KINDS = ['conversion_30d', 'churn_30d'] as const;
export type PredictionKind = (typeof KINDS)[number];

const TRAIN_LIMIT = 200_000;
const MIN_CLASS = 10;
const TOP_FEATURES = 3;
const BATCH = 500;

export interface Contribution {
  feature: string;
  /** The feature's raw value for this contact (log1p for counts, days for recency). */
  value: number;
  /** Its share of the log-odds: weight × standardised value. */
  contribution: number;
}

export interface ModelSummary {
  kind: PredictionKind;
  status: 'trained' | 'insufficient_data';
  trainedAt: number;
  trainCut: number;
  evalCut: number;
  scoredCut: number;
  trainSize: number;
  trainPositives: number;
  evalSize: number;
  evalPositives: number;
  auc: number | null;
  brier: number | null;
  calibration: ReliabilityBin[];
  durationMs: number;
}

interface Trained {
  summary: ModelSummary;
  model: LogisticModel | null;
}

const labelsOf = (set: FeatureSet, kind: PredictionKind) => (kind === 'conversion_30d' ? set.converted : set.churned);
/** The rows a kind is about: everyone for conversion; the recently active for churn. */
function rowsOf(set: FeatureSet, kind: PredictionKind): number[] {
  const out: number[] = [];
  for (let i = 0; i < set.contactIds.length; i++) if (kind === 'conversion_30d' || set.active[i]) out.push(i);
  return out;
}

/** Trains both models of a workspace, stores them and every contact's scores. */
export async function trainWorkspace(deps: { store: Store; clock: Clock }, workspaceId: string): Promise<ModelSummary[]> {
  const started = Date.now();
  const now = deps.clock.now();
  const trainCut = now - 60 * DAY_MS;
  const evalCut = now - 30 * DAY_MS;
  const layout = await featureLayout(deps.store, workspaceId);
  const train = await featuresAt(deps.store, workspaceId, layout, trainCut, true);
  const evaluation = await featuresAt(deps.store, workspaceId, layout, evalCut, true);
  const current = await featuresAt(deps.store, workspaceId, layout, now, false);

  const trained: Record<PredictionKind, Trained> = {} as Record<PredictionKind, Trained>;
  for (const kind of KINDS) {
    let rows = rowsOf(train, kind);
    const y = labelsOf(train, kind);
    const positives = rows.reduce((n, r) => n + y[r]!, 0);
    if (rows.length > TRAIN_LIMIT) rows = sample(rows, TRAIN_LIMIT);
    const evalRows = rowsOf(evaluation, kind);
    const evalY = labelsOf(evaluation, kind);
    const base = {
      kind,
      trainedAt: now,
      trainCut,
      evalCut,
      scoredCut: now,
      trainSize: rows.length,
      trainPositives: positives,
      evalSize: evalRows.length,
      evalPositives: evalRows.reduce((n, r) => n + evalY[r]!, 0),
    };
    if (positives < MIN_CLASS || rows.length - positives < MIN_CLASS) {
      trained[kind] = { model: null, summary: { ...base, status: 'insufficient_data', auc: null, brier: null, calibration: [], durationMs: 0 } };
      continue;
    }
    const model = fitLogistic(train.x, layout.names, rows, y);
    const scores = evalRows.map((r) => predictRow(model, evaluation.x, r));
    const labels = evalRows.map((r) => evalY[r]!);
    trained[kind] = { model, summary: { ...base, status: 'trained', auc: auc(scores, labels), brier: brier(scores, labels), calibration: reliability(scores, labels), durationMs: 0 } };
  }
  const durationMs = Date.now() - started;
  for (const kind of KINDS) trained[kind].summary.durationMs = durationMs;
  await store(deps.store, workspaceId, trained, current, now);
  return KINDS.map((k) => trained[k].summary);
}

function sample(rows: number[], limit: number): number[] {
  const rand = seededRandom(rows.length);
  const copy = [...rows];
  for (let i = 0; i < limit; i++) {
    const j = i + Math.floor(rand() * (copy.length - i));
    [copy[i], copy[j]] = [copy[j]!, copy[i]!];
  }
  return copy.slice(0, limit).sort((a, b) => a - b);
}

/** Replaces the workspace's models and scores in one transaction: readers see the old set or the new. */
async function store(s: Store, workspaceId: string, trained: Record<PredictionKind, Trained>, current: FeatureSet, now: number): Promise<void> {
  const d = current.layout.names.length;
  const contributions = new Float64Array(d);
  const scoreOf = (kind: PredictionKind, i: number): { score: number | null; top: Contribution[] } => {
    const model = trained[kind].model;
    if (!model || (kind === 'churn_30d' && !current.active[i])) return { score: null, top: [] };
    const score = predictRow(model, current.x, i, contributions);
    const order = Array.from(contributions.keys()).sort((a, b) => Math.abs(contributions[b]!) - Math.abs(contributions[a]!));
    const top = order.slice(0, TOP_FEATURES).map((j) => ({ feature: model.names[j]!, value: round(current.x[i * d + j]!), contribution: round(contributions[j]!) }));
    return { score: round(score), top };
  };
  await s.transaction(async (trx) => {
    await trx.deleteFrom('insight_models').where('workspace_id', '=', workspaceId).execute();
    for (const kind of KINDS) {
      const { summary, model } = trained[kind];
      await trx
        .insertInto('insight_models')
        .values({
          workspace_id: workspaceId,
          kind,
          status: summary.status,
          trained_at: summary.trainedAt,
          train_cut: summary.trainCut,
          eval_cut: summary.evalCut,
          scored_cut: summary.scoredCut,
          train_size: summary.trainSize,
          train_positives: summary.trainPositives,
          eval_size: summary.evalSize,
          eval_positives: summary.evalPositives,
          auc: summary.auc,
          brier: summary.brier,
          calibration: toJson(summary.calibration),
          model: toJson(model ?? {}),
          duration_ms: summary.durationMs,
        })
        .execute();
    }
    await trx.deleteFrom('contact_predictions').where('workspace_id', '=', workspaceId).execute();
    for (let start = 0; start < current.contactIds.length; start += BATCH) {
      const values = [];
      for (let i = start; i < Math.min(start + BATCH, current.contactIds.length); i++) {
        const conversion = scoreOf('conversion_30d', i);
        const churn = scoreOf('churn_30d', i);
        values.push({
          workspace_id: workspaceId,
          contact_id: current.contactIds[i]!,
          conversion_30d: conversion.score,
          churn_30d: churn.score,
          explanation: toJson({ conversion_30d: conversion.top, churn_30d: churn.top }),
          scored_at: now,
        });
      }
      await trx.insertInto('contact_predictions').values(values).execute();
    }
  });
}

const round = (v: number) => Math.round(v * 1e6) / 1e6;
