import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { findCorrelations, type CorrelationReport } from './correlations.js';
import { plantWorkspace } from './correlations.testkit.js';

const options = { goal: 'purchase', windowDays: 30, lookbackDays: 90, minSupport: 30, alpha: 0.05 };

describe.each(backends())('correlations with conversion (%s)', (kind) => {
  let h: Harness;
  let t: Tenant;
  let report: CorrelationReport;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    // 40 extra null attributes: by chance a few pass p < 0.05 on their own (see below).
    await plantWorkspace(h.deps.store.db, t.workspaceId, h.clock.now(), { contacts: 2000, nullAttributes: 40 });
    report = await findCorrelations(h.deps, t.workspaceId, options);
  }, 120_000);
  afterAll(() => h?.close());

  const row = (label: string) => report.rows.find((r) => r.label === label);

  it('reports the planted attribute (tier = gold, twice the conversion) as significant after Benjamini–Hochberg, with a lift interval around 2', () => {
    const gold = row('tier = gold')!;
    expect(gold.significant).toBe(true);
    expect(gold.qValue).toBeLessThan(0.001);
    expect(gold.liftCi!.low).toBeGreaterThan(1.3);
    expect(gold.liftCi!.low).toBeLessThan(2);
    expect(gold.liftCi!.high).toBeGreaterThan(2);
    expect(gold.interpretation).toBe('association');
    expect(gold.test.design).toBe('holdout');
    // The segment of gold contacts (entered before the window) and the engaged contacts' signs go with it too.
    expect(row('in segment Gold')!.significant).toBe(true);
    expect(row('did email.opened')!.significant).toBe(true);
    expect(row('received template t_promo')).toMatchObject({ significant: true, test: { design: 'ab_split' } });
  });

  it('does not report the null attribute (shoe)', () => {
    expect(row('shoe = left')!.significant).toBe(false);
    expect(row('shoe = right')!.significant).toBe(false);
  });

  it('needs Benjamini–Hochberg: some null attributes pass p < 0.05 alone, none is significant once corrected', () => {
    const nulls = report.rows.filter((r) => /^n\d\d = /.test(r.label));
    expect(nulls.length).toBe(80);
    // Without the correction (significant = pValue < alpha) these would be reported: the test fails if BH is removed.
    expect(nulls.filter((r) => r.pValue < 0.05).length).toBeGreaterThan(0);
    expect(nulls.filter((r) => r.significant)).toEqual([]);
  });

  it('counts the outcome only in the window and the candidates only before it', () => {
    expect(report.population).toBe(2000);
    expect(report.window.to - report.window.from).toBe(30 * 86_400_000);
    const gold = row('tier = gold')!;
    expect(gold.withN + gold.withoutN).toBe(2000);
    expect(gold.withConverted + gold.withoutConverted).toBe(report.converted);
  });

  it('GET /api/insights/correlations answers the report; a bad goal is a 400 naming the field, an unknown journey a 404', async () => {
    const ok = await h.app.inject({ method: 'GET', url: '/api/insights/correlations?goal=purchase&minSupport=30', headers: t.admin });
    expect(ok.statusCode).toBe(200);
    const body = ok.json();
    expect(body.interpretation).toBe('association');
    expect(body.rows.find((r: { label: string }) => r.label === 'tier = gold').significant).toBe(true);
    const bad = await h.app.inject({ method: 'GET', url: '/api/insights/correlations?goal=DROP%20TABLE&windowDays=0', headers: t.admin });
    expect(bad.statusCode).toBe(400);
    const paths = bad.json().error.issues.map((i: { path: string }) => i.path);
    expect(paths).toEqual(expect.arrayContaining([expect.stringMatching(/goal$/), expect.stringMatching(/windowDays$/)]));
    const missing = await h.app.inject({ method: 'GET', url: '/api/insights/correlations?goal=journey:nope', headers: t.admin });
    expect(missing.statusCode).toBe(404);
    expect((await h.app.inject({ method: 'GET', url: '/api/insights/correlations?goal=purchase' })).statusCode).toBe(401);
  });
});
