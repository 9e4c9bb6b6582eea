import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends, freshDatabase, type TestDatabase } from '../../test/backends.js';
import { generatePlanted, PLANTED, DAY_MS, type PlantedWorkspace } from './planted.testkit.js';

describe.each(backends())('the planted workspace (%s)', (kind) => {
  let t: TestDatabase;
  let w: PlantedWorkspace;
  beforeAll(async () => {
    t = await freshDatabase(kind);
    w = await generatePlanted(t.store, { contacts: 1500 });
  }, 120_000);
  afterAll(() => t.drop());

  it('is the same for the same seed on every backend', () => {
    // Fixed figures: a change of the generator (or a PRNG that differs by platform) shows here.
    expect(w.counts).toMatchInlineSnapshot(`
      {
        "contacts": 1500,
        "conversions": 236,
        "events": 19422,
        "messages": 15571,
        "unsubscribes": 27,
      }
    `);
  });

  it('holds its truths: the planted attribute doubles conversion, the spike domain bounces from day 20', async () => {
    const conv = await sql<{ loyal: string; n: unknown; converted: unknown }>`
      SELECT c.attributes AS loyal, 1 AS n, (SELECT COUNT(*) FROM events e WHERE e.contact_id = c.id AND e.name = ${PLANTED.conversionEvent}) AS converted
      FROM contacts c WHERE c.workspace_id = ${w.workspaceId}`.execute(t.store.db);
    const by = { true: [0, 0], false: [0, 0] } as Record<string, [number, number]>;
    for (const r of conv.rows) {
      const attrs = (typeof r.loyal === 'string' ? JSON.parse(r.loyal) : r.loyal) as Record<string, unknown>;
      const k = String(attrs[PLANTED.plantedAttribute]);
      by[k]![0]++;
      if (Number(r.converted) > 0) by[k]![1]++;
    }
    const ratio = by.true![1] / by.true![0] / (by.false![1] / by.false![0]);
    expect(ratio).toBeGreaterThan(1.5);
    const spikeFrom = w.start + PLANTED.spikeDay * DAY_MS;
    const hard = async (before: boolean) =>
      Number(
        (
          await sql<{ n: unknown }>`SELECT COUNT(*) AS n FROM messages WHERE workspace_id = ${w.workspaceId} AND status = 'bounced'
            AND to_address LIKE ${'%@' + PLANTED.spikeDomain} AND ${before ? sql`created_at < ${spikeFrom}` : sql`created_at >= ${spikeFrom}`}`.execute(t.store.db)
        ).rows[0]!.n,
      );
    expect(await hard(false)).toBeGreaterThan(10 * (await hard(true)));
  });
});
