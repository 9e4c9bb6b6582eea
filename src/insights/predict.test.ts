import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { createSegment, segmentMembers } from '../segments/segments.js';
import { DAY, plantWorkspace, type PlantedContact } from './correlations.testkit.js';
import { trainWorkspace, type ModelSummary } from './predict.js';
import { featureLayout, featuresAt } from './features.js';
import { predictionTasks } from './predict-task.js';

describe.each(backends())('predicted conversion and churn (%s)', (kind) => {
  let h: Harness;
  let t: Tenant;
  let planted: PlantedContact[];
  let models: ModelSummary[];
  let now: number;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    now = h.clock.now();
    planted = await plantWorkspace(h.deps.store.db, t.workspaceId, now, { contacts: 2000, seed: 7 });
    models = await trainWorkspace(h.deps, t.workspaceId);
  }, 180_000);
  afterAll(() => h?.close());

  const conversion = () => models.find((m) => m.kind === 'conversion_30d')!;
  const orderedIn = (from: number, to: number) => planted.filter((p) => p.orders.some((o) => o >= from && o < to)).length;

  it('reaches a held-out AUC of at least 0.75 on the planted signal, with its calibration bins and Brier score', () => {
    const m = conversion();
    expect(m.status).toBe('trained');
    expect(m.auc).toBeGreaterThanOrEqual(0.75);
    expect(m.brier).toBeGreaterThan(0);
    expect(m.brier).toBeLessThan(0.2);
    expect(m.calibration).toHaveLength(10);
    expect(m.calibration.reduce((n, b) => n + b.count, 0)).toBe(m.evalSize);
    // Calibrated: the predicted and observed rates of the busy bins agree within 0.1.
    for (const b of m.calibration.filter((x) => x.count >= 100)) expect(Math.abs(b.meanPredicted! - b.observedRate!)).toBeLessThan(0.1);
  });

  it('splits by time: trained on the state at T−60d with the outcomes of [T−60d, T−30d), evaluated on the later cut T−30d with the outcomes of [T−30d, T)', () => {
    // Removing the split (training and evaluating on one period, or on a random half of it) changes these cuts and counts.
    const m = conversion();
    expect(m.trainCut).toBe(now - 60 * DAY);
    expect(m.evalCut).toBe(now - 30 * DAY);
    expect(m.scoredCut).toBe(now);
    expect(m.trainSize).toBe(2000);
    expect(m.trainPositives).toBe(orderedIn(now - 60 * DAY, now - 30 * DAY));
    expect(m.evalPositives).toBe(orderedIn(now - 30 * DAY, now));
    expect(m.trainPositives).not.toBe(m.evalPositives);
  });

  it('reads features strictly before the cut: an order at or after the cut is the label, never a feature', async () => {
    const cut = now - 60 * DAY;
    const c = planted.find((p) => p.orders.length === 1 && p.orders[0]! >= cut && p.orders[0]! < cut + 30 * DAY)!;
    const set = await featuresAt(h.deps.store, t.workspaceId, await featureLayout(h.deps.store, t.workspaceId), cut, true);
    const i = set.contactIds.indexOf(c.id);
    const d = set.layout.names.length;
    expect(set.x[i * d + set.layout.names.indexOf('orders_365d_log')]).toBe(0);
    expect(set.converted[i]).toBe(1);
  });

  it('a segment on predicted.conversion_30d > 0.25 selects exactly the contacts scored above 0.25, nearly all of them engaged', async () => {
    const scored = await h.deps.store.db.selectFrom('contact_predictions').select(['contact_id', 'conversion_30d']).where('workspace_id', '=', t.workspaceId).execute();
    expect(scored).toHaveLength(2000);
    const expected = scored
      .filter((r) => Number(r.conversion_30d) > 0.25)
      .map((r) => r.contact_id)
      .sort();
    expect(expected.length).toBeGreaterThan(50);
    const segment = await createSegment(h.deps, t.workspaceId, { name: 'likely buyers', conditions: { type: 'predicted', prediction: 'conversion_30d', op: 'gt', value: 0.25 } });
    const members = await segmentMembers(h.deps, t.workspaceId, segment.id, { limit: 5000 });
    expect(members.map((m) => m.contactId).sort()).toEqual(expected);
    const engaged = new Set(planted.filter((p) => p.engaged).map((p) => p.id));
    expect(expected.filter((id) => engaged.has(id)).length / expected.length).toBeGreaterThan(0.9);
  });

  it('GET /api/insights/models and /api/contacts/:id/predictions answer the quality and each score with its top features', async () => {
    const res = await h.app.inject({ method: 'GET', url: '/api/insights/models', headers: t.admin });
    expect(res.statusCode).toBe(200);
    const data = res.json().data as ModelSummary[];
    expect(data.map((m) => m.kind).sort()).toEqual(['churn_30d', 'conversion_30d']);
    expect(data.find((m) => m.kind === 'conversion_30d')!.auc).toBeCloseTo(conversion().auc!, 6);
    const engagedGold = planted.find((p) => p.engaged && p.gold)!;
    const p = await h.app.inject({ method: 'GET', url: `/api/contacts/${engagedGold.id}/predictions`, headers: t.admin });
    expect(p.statusCode).toBe(200);
    const conv = p.json().predictions.find((x: { kind: string }) => x.kind === 'conversion_30d');
    expect(conv.score).toBeGreaterThan(0.2);
    expect(conv.topFeatures).toHaveLength(3);
    // The explanation is coefficient × standardised value; an engaged contact's lead reason is its email opens.
    expect(conv.topFeatures.map((f: { feature: string }) => f.feature)).toContain('opens_30d_log');
    expect((await h.app.inject({ method: 'GET', url: '/api/contacts/nope/predictions', headers: t.admin })).statusCode).toBe(404);
  });

  it('the worker task retrains a workspace once its models are a day old, by the injected clock', async () => {
    const task = predictionTasks(h.deps);
    expect(await task.tick()).toBe(0);
    h.clock.advance(25 * 3_600_000);
    expect(await task.tick()).toBe(1);
    const m = await h.deps.store.db.selectFrom('insight_models').select('trained_at').where('workspace_id', '=', t.workspaceId).execute();
    expect(m.every((r) => Number(r.trained_at) === h.clock.now())).toBe(true);
    expect(await task.tick()).toBe(0);
  });
});
