/**
 * @module Retention benchmark: rows of expired events deleted per second by the retention pass
 * (src/retention/delete-events.ts: 1,000-row batches, each rolled up into event_rollups in its own
 * transaction, pausing as long as each batch took so ingestion keeps its turn), against the simplest
 * way, one `DELETE … WHERE workspace_id = ? AND timestamp < ?` of the same number of rows of another
 * workspace in the same database (which holds the write lock, or the rows, for the whole time and keeps
 * no figures). `npm run bench -- retention` (`--size large`: 10× the rows).
 */
import { sql } from 'kysely';
import { benchBackends, figure, type Bench } from './run.js';
import { freshDatabase } from '../test/backends.js';
import { insertEvents, type EventRow } from '../src/events/insert-events.js';
import { deleteExpiredEvents } from '../src/retention/delete-events.js';
import type { Store } from '../src/store/store.js';

const OLD = Date.UTC(2025, 0, 1);
const CUTOFF = Date.UTC(2026, 0, 1);

async function plant(store: Store, workspaceId: string, rows: number): Promise<void> {
  await sql`INSERT INTO workspaces (id, name, timezone, settings, created_at) VALUES (${workspaceId}, 'bench', 'UTC', '{}', 0)`.execute(store.db);
  const contacts = Array.from({ length: 100 }, (_, i) => ({ id: `${workspaceId}_c${i}`, workspace_id: workspaceId, attributes: '{}', created_at: 0, updated_at: 0 }));
  await store.db.insertInto('contacts').values(contacts).execute();
  for (let start = 0; start < rows; start += 1000) {
    const batch: EventRow[] = Array.from({ length: Math.min(1000, rows - start) }, (_, k) => {
      const i = start + k;
      return {
        contactId: contacts[i % 100]!.id,
        type: 'track',
        name: ['Viewed', 'Added', 'Order Completed'][i % 3]!,
        properties: { revenue: i % 50 },
        context: {},
        messageId: `m${i}`,
        timestamp: OLD + i * 600,
        receivedAt: OLD + i * 600,
      };
    });
    await store.transaction((trx) => insertEvents(trx, store.dialect, workspaceId, batch));
  }
  // Two thirds old enough to delete, a third kept (timestamps past the cutoff).
  await sql`UPDATE events SET timestamp = ${CUTOFF} + id WHERE workspace_id = ${workspaceId} AND message_id LIKE 'm%' AND id % 3 = 0`.execute(store.db);
}

export const run: Bench = async (ctx) => {
  const rows = ctx.size === 'large' ? 300_000 : 30_000;
  for (const backend of benchBackends()) {
    const t = await freshDatabase(backend);
    try {
      await plant(t.store, 'ws_pass', rows);
      await plant(t.store, 'ws_bare', rows);
      if (backend === 'postgres') await sql`ANALYZE events`.execute(t.store.db);
      let started = performance.now();
      const bare = await sql`DELETE FROM events WHERE workspace_id = ${'ws_bare'} AND timestamp < ${CUTOFF}`.execute(t.store.db);
      const bareS = (performance.now() - started) / 1000;
      started = performance.now();
      const pass = await deleteExpiredEvents(t.store, 'ws_pass', CUTOFF);
      const passS = (performance.now() - started) / 1000;
      const bareRows = Number(bare.numAffectedRows ?? 0n);
      ctx.emit(figure({ bench: 'retention', backend, figure: 'deleted_per_s', value: pass.deleted / passS, unit: 'rows/s', baseline: bareRows / bareS }));
    } finally {
      await t.drop();
    }
  }
};
