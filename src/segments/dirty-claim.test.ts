/**
 * The re-check task claims the oldest dirty (segment, contact) pairs in order of created_at through
 * an index: after a large import the table holds contacts × live segments rows, and sorting all of
 * them for every claim of 500 was quadratic.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import { explain, numbers } from '../../test/plans.js';
import { createSegment } from './segments.js';
import { claimDirtyQuery, DIRTY_BATCH } from './task.js';

const PAIRS = 5000;

describe.each(backends())('claiming dirty segment pairs on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    await createSegment(h.deps, t.workspaceId, { id: 'pro', name: 'pro', conditions: { type: 'attribute', attribute: 'plan', op: 'equals', value: 'pro' } });
    // created_at descending with n, so the oldest pairs are the last inserted.
    await sql`INSERT INTO segment_dirty (segment_id, contact_id, workspace_id, created_at) SELECT 'pro', 'ct_' || n, ${t.workspaceId}, ${sql.lit(PAIRS)} - n FROM (${numbers(kind, PAIRS)}) AS s`.execute(
      h.deps.store.db,
    );
  });
  afterAll(async () => h?.close());

  it('reads segment_dirty_created in order instead of sorting the table', async () => {
    const text = await explain(h.deps.store.db, kind, claimDirtyQuery(kind, DIRTY_BATCH).compile(h.deps.store.db));
    expect(text).toContain('segment_dirty_created');
    expect(text).not.toMatch(/Sort|TEMP B-TREE|SCAN segment_dirty(?! USING)/);
  });

  it('claims the oldest pairs first and deletes what it claimed', async () => {
    const claimed = await h.deps.store.transaction(async (trx) => (await claimDirtyQuery(kind, 3).execute(trx)).rows);
    expect(claimed.map((c) => c.contact_id).sort()).toEqual([`ct_${PAIRS}`, `ct_${PAIRS - 1}`, `ct_${PAIRS - 2}`].sort());
    const left = await h.deps.store.db
      .selectFrom('segment_dirty')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(PAIRS - 3);
  });
});
