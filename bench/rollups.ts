/**
 * @module What the rollup triggers of migrations/000014.sql cost ingestion: the real ingest path
 * (src/events/ingest.ts: duplicate check, identity resolution, the batch INSERT, the signal sinks)
 * with batches of 100 track events (a numeric property on 40% of them, so event_day_values is
 * written too) for a pool of 2,000 known users, on the same database with the triggers on and off,
 * interleaved (on, off, on, off, …; `--rounds`, default 4 pairs), so the machine's noise hits both.
 * Off = PostgreSQL `ALTER TABLE events DISABLE TRIGGER`, SQLite: the trigger dropped and re-created
 * from its stored SQL. Figures: µs per event with the triggers (value) and without (baseline), the
 * median round of each; and the same for the batch INSERT statement alone (1,000 rows), which is
 * less noisy than the whole path.
 */
import { sql } from 'kysely';
import { ManualClock } from '../src/core/clock.js';
import { toCall, type Call } from '../src/events/call.js';
import type { SegmentCall } from '../src/events/segment.js';
import { ingest } from '../src/events/ingest.js';
import { insertEvents } from '../src/events/insert-events.js';
import type { JsonObject } from '../src/core/json.js';
import type { DialectName, Store } from '../src/store/store.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { figure, type Bench, type BenchContext } from './run.js';
import { freshDatabase } from '../test/backends.js';

const NOW = Date.UTC(2026, 0, 5, 12);
const DAY = 86_400_000;
const USERS = 2000;
const SIZES = { small: 20_000, large: 100_000 } as const;

function batches(tag: string, events: number): Call[][] {
  const out: Call[][] = [];
  for (let b = 0; b < events / 100; b++) {
    const calls: Call[] = [];
    for (let i = 0; i < 100; i++) {
      const n = b * 100 + i;
      const kind = n % 5;
      const event = kind < 2 ? 'Order Completed' : kind < 4 ? 'email.opened' : 'Page Viewed';
      const properties = kind < 2 ? { revenue: n % 120, qty: 1 } : kind < 4 ? { machine: n % 7 === 0 } : { path: `/p/${n % 50}` };
      const raw = { type: 'track', userId: `u${(n * 7919) % USERS}`, anonymousId: null, event, properties, messageId: `${tag}-${n}`, timestamp: NOW - (n % 90) * DAY };
      calls.push(toCall(raw as unknown as SegmentCall, { receivedAt: NOW }));
    }
    out.push(calls);
  }
  return out;
}

async function setTriggers(store: Store, on: boolean, saved: Map<string, string>): Promise<void> {
  if (store.dialect === 'postgres') {
    await sql.raw(`ALTER TABLE events ${on ? 'ENABLE' : 'DISABLE'} TRIGGER events_rollups_insert`).execute(store.db);
    return;
  }
  if (on) {
    for (const text of saved.values()) await sql.raw(text).execute(store.db);
    return;
  }
  const rows = await sql<{ name: string; sql: string }>`SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name = 'events_rollups_insert'`.execute(store.db);
  for (const r of rows.rows) {
    saved.set(r.name, r.sql);
    await sql.raw(`DROP TRIGGER ${r.name}`).execute(store.db);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function runBackend(kind: DialectName, ctx: BenchContext): Promise<void> {
  const db = await freshDatabase(kind, { baseUrl: process.env.QATRA_BENCH_DATABASE_URL, pgPoolMax: 4 });
  const deps = { store: db.store, clock: new ManualClock(NOW) };
  const events = SIZES[ctx.size];
  const rounds = Number(ctx.options.rounds ?? 4);
  const saved = new Map<string, string>();
  try {
    const ws = (await createWorkspace(deps, { name: 'bench' })).id;
    // Warm-up: creates every user's contact, so the timed rounds only find contacts.
    for (const calls of batches('warm', USERS * 5)) await ingest(deps, ws, calls);
    const us: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let r = 0; r < rounds * 2; r++) {
      const on = r % 2 === 0;
      await setTriggers(db.store, on, saved);
      const work = batches(`r${r}`, events);
      const t0 = performance.now();
      // Two requests in flight, as concurrent clients would have (the group commit may merge them).
      for (let b = 0; b < work.length; b += 2) await Promise.all(work.slice(b, b + 2).map((calls) => ingest(deps, ws, calls)));
      us[on ? 'on' : 'off'].push(((performance.now() - t0) * 1000) / events);
    }
    // The statement alone: insertEvents (./src/events/insert-events.ts) of 1,000 rows per
    // statement, one transaction each, alternating on/off, 2·rounds·5 statements.
    const contactIds = (await db.store.db.selectFrom('contacts').select('id').where('workspace_id', '=', ws).limit(USERS).execute()).map((c) => c.id);
    const insertUs: Record<'on' | 'off', number[]> = { on: [], off: [] };
    for (let r = 0; r < rounds * 10; r++) {
      const on = r % 2 === 0;
      await setTriggers(db.store, on, saved);
      const rows = batches(`s${r}`, 1000).flat().map((c, k) => ({ contactId: contactIds[k % contactIds.length]!, type: c.type, name: c.name, properties: c.properties as JsonObject, context: c.context as JsonObject, messageId: c.messageId, timestamp: c.timestamp, receivedAt: c.receivedAt }));
      const t0 = performance.now();
      await db.store.transaction((trx) => insertEvents(trx, kind, ws, rows));
      insertUs[on ? 'on' : 'off'].push(((performance.now() - t0) * 1000) / rows.length);
    }
    ctx.emit(figure({ bench: 'rollups', backend: kind, figure: 'insert_statement_us_per_event', value: median(insertUs.on), unit: `µs/event, median of ${insertUs.on.length} statements of 1000 rows with the triggers (baseline: without)`, baseline: median(insertUs.off) }));
    await setTriggers(db.store, true, saved);
    ctx.emit(figure({ bench: 'rollups', backend: kind, figure: 'ingest_us_per_event', value: median(us.on), unit: `µs/event, median of ${rounds} rounds of ${events} (on: ${us.on.map(Math.round).join(', ')}; off: ${us.off.map(Math.round).join(', ')})`, baseline: median(us.off) }));
  } finally {
    await db.drop();
  }
}

export const run: Bench = async (ctx) => {
  if (!process.env.QATRA_BENCH_SKIP_SQLITE) await runBackend('sqlite', ctx);
  if (process.env.QATRA_BENCH_DATABASE_URL || process.env.QATRA_TEST_DATABASE_URL) await runBackend('postgres', ctx);
};
