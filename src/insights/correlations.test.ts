import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { findCorrelations, planAttributes, type CorrelationReport } from './correlations.js';
import { DAY, plantWorkspace, type PlantedContact } from './correlations.testkit.js';

const options = { goal: 'purchase', windowDays: 30, lookbackDays: 90, minSupport: 30, alpha: 0.05 };

describe.each(backends())('correlations with conversion (%s)', (kind) => {
  let h: Harness;
  let t: Tenant;
  let report: CorrelationReport;
  let planted: PlantedContact[];
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    // 40 extra null attributes: by chance a few pass p < 0.05 on their own (see below).
    planted = await plantWorkspace(h.deps.store.db, t.workspaceId, h.clock.now(), { contacts: 2000, nullAttributes: 40 });
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

  it("a journey's goal: the runs that entered in the window are the population, a converted run the outcome", async () => {
    const now = h.clock.now();
    const db = h.deps.store.db;
    await db
      .insertInto('journeys')
      .values({ workspace_id: t.workspaceId, id: 'jr_welcome', name: 'welcome', status: 'live', current_version: 1, created_at: now - 90 * DAY, updated_at: now - 90 * DAY })
      .execute();
    // 600 runs entered 10 days ago: gold contacts' runs convert one in two, silver ones one in five.
    const runs = planted.slice(0, 600).map((p, i) => ({
      id: `run_${i}_${t.workspaceId}`,
      workspace_id: t.workspaceId,
      journey_id: 'jr_welcome',
      version: 1,
      contact_id: p.id,
      status: (p.gold ? i % 2 === 0 : i % 5 === 0) ? ('converted' as const) : ('completed' as const),
      current_node: null,
      visit: 1,
      due_at: null,
      wait_event: null,
      wait_filters: null,
      wait_started_at: null,
      claimed_by: null,
      lease_until: null,
      attempts: 0,
      last_error: null,
      trigger_props: '{}',
      event_props: '{}',
      data: '{}',
      entered_at: now - 10 * DAY,
      updated_at: now - 9 * DAY,
      ended_at: now - 9 * DAY,
      exit_reason: null,
      goal_value: null,
    }));
    for (let i = 0; i < runs.length; i += 100)
      await db
        .insertInto('journey_runs')
        .values(runs.slice(i, i + 100))
        .execute();
    const journey = await findCorrelations(h.deps, t.workspaceId, { ...options, goal: 'journey:jr_welcome' });
    expect(journey.population).toBe(600);
    expect(journey.converted).toBe(runs.filter((r) => r.status === 'converted').length);
    expect(journey.rows.find((r) => r.label === 'tier = gold')!.significant).toBe(true);
    expect(journey.rows.find((r) => r.label === 'shoe = left')?.significant ?? false).toBe(false);
  });

  it('tests only candidates with minSupport contacts on each side', async () => {
    const strict = await findCorrelations(h.deps, t.workspaceId, { ...options, minSupport: 700 });
    // About 600 contacts are gold: below 700, so tier = gold is not tested (silver, about 1,400, lacks 700 without it).
    expect(strict.rows.find((r) => r.label === 'tier = gold')).toBeUndefined();
    expect(strict.rows.find((r) => r.label === 'tier = silver')).toBeUndefined();
    expect(strict.rows.every((r) => r.withN >= 700 && r.withoutN >= 700)).toBe(true);
    expect(strict.tested).toBe(strict.rows.length);
  });

  it('hostile attribute keys (quotes, dots, brackets) are skipped, never a failed query', async () => {
    expect(planAttributes([{ 'we"ird': 'x', 'a.b': 1, '{x}': 'y', plain: 'z' }]).map((p) => p.key)).toEqual(['plain']);
    const other = await h.tenant();
    const now = h.clock.now();
    const rows = Array.from({ length: 40 }, (_, i) => ({
      id: `hx_${i}_${other.workspaceId}`,
      workspace_id: other.workspaceId,
      user_id: `h${i}`,
      email: null,
      phone: null,
      timezone: null,
      locale: null,
      attributes: JSON.stringify({ 'we"ird': i % 2 ? 'a' : 'b', 'a.b': i, '{x}': 'y', "o'k": 'q', plain: i % 2 ? 'p' : 'q' }),
      created_at: now - 100 * DAY,
      updated_at: now - 100 * DAY,
    }));
    await h.deps.store.db.insertInto('contacts').values(rows).execute();
    const hostile = await findCorrelations(h.deps, other.workspaceId, { ...options, minSupport: 5 });
    expect(hostile.population).toBe(40);
    expect(hostile.rows.map((r) => r.key)).toEqual(['plain', 'plain']);
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
