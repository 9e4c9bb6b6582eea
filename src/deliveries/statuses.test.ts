import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness } from '../../test/harness.js';
import { explain } from '../../test/plans.js';
import { deliveryStatuses, deliveryStatusesQuery } from './statuses.js';

describe.each(backends())('delivery statuses on %s', (kind) => {
  let h: Harness;
  let a: string;
  let b: string;
  const ROWS = 3000;
  beforeAll(async () => {
    h = await createHarness(kind);
    a = (await h.tenant()).workspaceId;
    b = (await h.tenant()).workspaceId;
    const now = h.clock.now();
    const row = (ws: string, key: string, status: 'pending' | 'sent') => ({
      id: `dl_${ws.slice(-8)}_${key}`,
      workspace_id: ws,
      idempotency_key: key,
      run_id: null,
      journey_id: null,
      node_id: null,
      contact_id: 'ct_x',
      channel: 'email',
      kind: 'marketing',
      status,
      attempts: 0,
      provider_message_id: status === 'sent' ? `pm-${key}` : null,
      error: null,
      created_at: now,
      updated_at: now,
      sent_at: null,
    });
    const rows = Array.from({ length: ROWS }, (_, i) => row(i % 2 ? a : b, `k${i}`, 'pending'));
    // The same key in both workspaces: only the asked workspace's row may answer.
    rows.push(row(a, 'shared', 'sent'), row(b, 'shared', 'pending'));
    for (let i = 0; i < rows.length; i += 200)
      await h.deps.store.db
        .insertInto('deliveries')
        .values(rows.slice(i, i + 200))
        .execute();
    await sql`ANALYZE`.execute(h.deps.store.db);
  });
  afterAll(async () => h?.close());

  it('reads the statuses of the given keys in their own workspace only', async () => {
    const found = await deliveryStatuses(h.deps.store.db, [
      { workspaceId: a, key: 'shared' },
      { workspaceId: a, key: 'k1' },
      { workspaceId: a, key: 'k2' },
    ]);
    expect(found).toEqual(
      new Map([
        ['shared', { status: 'sent', providerMessageId: 'pm-shared' }],
        ['k1', { status: 'pending', providerMessageId: null }],
      ]),
    );
  });

  it('probes the index deliveries_key (workspace_id, idempotency_key) instead of scanning the table', async () => {
    const compiled = deliveryStatusesQuery(h.deps.store.db, [
      { workspaceId: a, key: 'k1' },
      { workspaceId: a, key: 'k3' },
      { workspaceId: b, key: 'k4' },
    ]).compile();
    const text = await explain(h.deps.store.db, kind, compiled);
    expect(text).toContain('deliveries_key');
    expect(text).not.toMatch(/Seq Scan|SCAN deliveries(?! USING)/);
  });
});
