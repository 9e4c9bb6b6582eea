/**
 * The segments' dependency index is a cache of the sink object, one per runtime: a runtime that
 * changed a workspace's segments forgets its copy (`deps.signals.forget`), another runtime's copy is
 * its own, and a fresh runtime starts empty.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../test/harness.js';
import type { Signal } from '../events/signals.js';
import { createSegment } from './segments.js';
import { createSegmentSignalSink } from './sink.js';

describe.each(backends())('the segments signal sink on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let contactId: string;
  beforeAll(async () => {
    h = await createHarness(kind);
    t = await h.tenant();
    await createSegment(h.deps, t.workspaceId, { id: 'buyers', name: 'buyers', conditions: { type: 'event', event: 'bought', withinDays: 30 } });
    contactId = (await h.app.inject({ method: 'POST', url: '/api/contacts', headers: t.admin, payload: { userId: 'u-sink' } })).json().id;
  });
  afterAll(async () => h?.close());

  const event = (name: string): Signal => ({ kind: 'event', event: { id: 1, workspaceId: t.workspaceId, contactId, type: 'track', name, properties: {}, timestamp: 0, receivedAt: 0 } });
  /** The segments the sink marks dirty for one `name` event (the table is emptied first). */
  const marks = async (sink: ReturnType<typeof createSegmentSignalSink>, name: string) =>
    h.deps.store.transaction(async (trx) => {
      await trx.deleteFrom('segment_dirty').execute();
      await sink.record(trx, [event(name)], 0);
      return (await trx.selectFrom('segment_dirty').select('segment_id').execute()).map((r) => r.segment_id);
    });

  it('keeps its index per sink object until told to forget the workspace', async () => {
    const a = createSegmentSignalSink();
    expect(await marks(a, 'bought')).toEqual(['buyers']);
    // Another process rewrites the conditions without moving the change marker (same count, same updated_at).
    await h.deps.store.db
      .updateTable('segments')
      .set({ conditions: JSON.stringify({ type: 'event', event: 'refunded', withinDays: 30 }) })
      .where('id', '=', 'buyers')
      .execute();
    expect(await marks(a, 'refunded')).toEqual([]); // a's cached index
    const b = createSegmentSignalSink(); // a second runtime reads its own
    expect(await marks(b, 'refunded')).toEqual(['buyers']);
    a.forget!(t.workspaceId);
    expect(await marks(a, 'refunded')).toEqual(['buyers']);
  });
});
