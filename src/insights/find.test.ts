import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { DAY_MS, generatePlanted, isWeekend, PLANTED, type PlantedWorkspace } from './planted.testkit.js';
import { findWorkspaceAnomalies } from './find.js';

const dayOf = (w: PlantedWorkspace, t: number) => Math.round((t - w.start) / DAY_MS);

describe.each(backends())('the anomaly finder on the planted workspace (%s)', (kind) => {
  let t: TestDatabase;
  let w: PlantedWorkspace;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    w = await generatePlanted(t.store, { contacts: 3000 });
  }, 180_000);
  afterAll(() => t.drop());

  // Days 0–13 are the first baseline (two weeks are needed); days 14–41 are scanned.
  const scanned = (w: PlantedWorkspace) => ({ from: w.start + 14 * DAY_MS, to: w.end });

  it('flags the hard-bounce spike on day 20 and not before, names the domain, and flags no weekend', async () => {
    const found = await findWorkspaceAnomalies(t.store, w.workspaceId, scanned(w));
    expect(found.length).toBeGreaterThan(0);
    const first = found[0]!;
    expect(dayOf(w, first.bucket)).toBe(PLANTED.spikeDay);
    expect(first).toMatchObject({ metric: 'hard_bounce_rate', direction: 'up', scope: { kind: 'channel', id: 'email' } });
    // "hard bounces ×6.8 (47 where 7 were expected), 94% of the excess at domain inbox.gamma.test"
    expect(first.explanation.summary).toMatch(new RegExp(`^hard bounces ×\\d+\\.\\d .*, (9\\d|100)% of the excess at domain ${PLANTED.spikeDomain.replaceAll('.', '\\.')}$`));
    const domain = first.explanation.dimensions.find((d) => d.dimension === 'domain')!;
    expect(domain.values[0]!.value).toBe(PLANTED.spikeDomain);
    expect(domain.values[0]!.share).toBeGreaterThan(0.9);
    // Everything flagged is the spike: nothing before day 20, no other metric (the quieter weekends
    // have lower click and open rates and fewer sends, and none of it is flagged).
    for (const f of found) {
      expect(dayOf(w, f.bucket)).toBeGreaterThanOrEqual(PLANTED.spikeDay);
      expect(f.metric).toBe('hard_bounce_rate');
    }
  });

  it('would flag the weekends if the baseline ignored the weekly pattern', async () => {
    const found = await findWorkspaceAnomalies(t.store, w.workspaceId, scanned(w), { seasonMs: DAY_MS });
    const weekendDrops = found.filter((f) => f.direction === 'down' && isWeekend(dayOf(w, f.bucket)));
    expect(weekendDrops.length).toBeGreaterThan(0);
    expect(weekendDrops.some((f) => dayOf(w, f.bucket) < PLANTED.spikeDay)).toBe(true);
  });
});
