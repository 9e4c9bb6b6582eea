/**
 * The correlation finder on the insights generator shared with the anomaly suite
 * (./planted.testkit.ts: `loyalty_member = true` doubles conversion, `favourite_colour` does nothing).
 * The prediction proof stays on ./correlations.testkit.ts: these 42 days cannot hold a 30-day training
 * period and a later 30-day evaluation period, and a single 2× attribute caps any model's AUC near 0.6.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { findCorrelations, type CorrelationReport } from './correlations.js';
import { generatePlanted, PLANTED } from './planted.testkit.js';

describe.each(backends())('correlations on the shared planted workspace (%s)', (kind) => {
  let h: Harness;
  let report: CorrelationReport;
  beforeAll(async () => {
    h = await createHarness(kind);
    const { workspaceId } = await h.tenant();
    const w = await generatePlanted(h.deps.store, { workspaceId, contacts: 3000 });
    h.clock.set(w.end);
    report = await findCorrelations(h.deps, workspaceId, { goal: 'purchase', windowDays: 30, lookbackDays: 30, minSupport: 30, alpha: 0.05 });
  }, 180_000);
  afterAll(() => h?.close());

  it(`reports ${PLANTED.plantedAttribute} = true, significant after Benjamini–Hochberg, and no ${PLANTED.nullAttribute} value`, () => {
    const planted = report.rows.find((r) => r.label === `${PLANTED.plantedAttribute} = true`)!;
    expect(planted.significant).toBe(true);
    expect(planted.lift!).toBeGreaterThan(1.5);
    const nulls = report.rows.filter((r) => r.key === PLANTED.nullAttribute);
    expect(nulls.length).toBe(3);
    expect(nulls.filter((r) => r.significant)).toEqual([]);
  });
});
