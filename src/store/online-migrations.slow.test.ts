/**
 * The newest migrations applied to a PostgreSQL database holding a million events while ingestion
 * runs (issue 23, Online migrations): ingestion never waits long on a lock and no big table is
 * rewritten. And the measurement's own failure case: a statement that does rewrite `events` is seen
 * by both measures. `npm run test:slow -- src/store/online-migrations.slow.test.ts`.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../test/templates.js';
import { ingest } from '../events/ingest.js';
import { toCall } from '../events/call.js';
import { batchItem } from '../events/segment.js';
import { defaultSignals } from '../server/signal-sinks.js';
import { migrate, readMigrations } from './migrate.js';
import { BIG_TABLES } from './online-rules.testkit.js';
import { openStore, type Store } from './store.js';

const BASE = process.env.QATRA_TEST_DATABASE_URL;
/** The migrations applied under ingestion: the newest two (ours, 000036, included). */
const NEWEST_FROM = 34;
/**
 * Migrations known to need a maintenance window on a large table, left out here as in
 * online-rules.test.ts: 000040 adds a STORED generated column to contacts (a rewrite) and builds its
 * index under a SHARE lock (docs/scaling.md).
 */
const OFFLINE = new Set([40]);
const EVENTS = 1_000_000;
const CONTACTS = 100_000;
const WS = 'ws_online';
/**
 * The longest an ingest call may take while the migrations run. Ingestion alone takes 60-300 ms per
 * 20-call request on this shared machine; the rewrite below held it 84 s of its 86 s (load ~20).
 */
const MAX_INGEST_MS = 2_000;

interface Measured {
  ms: number;
  requests: number;
  maxMs: number;
  p50Ms: number;
}

describe.runIf(BASE)('online migrations on a million events (postgres)', () => {
  const name = `qatra_online_${randomBytes(4).toString('hex')}`;
  let store: Store;
  let ingestStore: Store;
  let n = 0;

  const relfilenodes = async () => {
    const r = await sql<{ relname: string; relfilenode: number }>`SELECT c.relname, c.relfilenode FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
      WHERE s.nspname = current_schema() AND c.relname IN (${sql.join(BIG_TABLES)}) ORDER BY 1`.execute(store.db);
    return Object.fromEntries(r.rows.map((row) => [row.relname, Number(row.relfilenode)]));
  };

  /** Runs `step` while a loop ingests 20-call requests (the real ingest path, its own pool); the latencies. */
  async function underIngestion(step: () => Promise<unknown>): Promise<Measured> {
    const signals = defaultSignals(ingestStore);
    const latencies: number[] = [];
    let done = false;
    const loop = (async () => {
      while (!done) {
        const at = Date.now();
        const calls = Array.from({ length: 20 }, (_, k) =>
          toCall(batchItem.parse({ type: 'track', userId: `u${(n * 20 + k) % CONTACTS}`, event: 'Live', messageId: `live-${n}-${k}` }), { receivedAt: at }),
        );
        n++;
        const t0 = performance.now();
        await ingest({ store: ingestStore, signals }, WS, calls);
        latencies.push(performance.now() - t0);
      }
    })();
    await new Promise((r) => setTimeout(r, 1000)); // the loop is running before the step starts
    const t0 = performance.now();
    await step();
    const ms = performance.now() - t0;
    done = true;
    await loop;
    const sorted = latencies.length ? [...latencies].sort((a, b) => a - b) : [0];
    return { ms, requests: latencies.length, maxMs: sorted[sorted.length - 1]!, p50Ms: sorted[Math.floor(sorted.length / 2)]! };
  }

  beforeAll(async () => {
    const admin = new pg.Client({ connectionString: BASE });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${name}`);
    await admin.end();
    store = openStore({ databaseUrl: withDatabase(BASE!, name), pgPoolMax: 2 });
    ingestStore = openStore({ databaseUrl: withDatabase(BASE!, name), pgPoolMax: 4 });
    await migrate(
      store,
      Date.now(),
      readMigrations().filter((m) => m.id < NEWEST_FROM),
    );
    const t0 = Date.UTC(2026, 0, 1);
    await sql`INSERT INTO workspaces (id, name, timezone, settings, created_at) VALUES (${WS}, 'online', 'UTC', '{}', 0)`.execute(store.db);
    await sql`INSERT INTO contacts (id, workspace_id, user_id, email, attributes, created_at, updated_at)
      SELECT 'c' || g, ${WS}, 'u' || g, 'u' || g || '@example.test', '{}', ${t0}, ${t0} FROM generate_series(0, ${CONTACTS - 1}) g`.execute(store.db);
    await sql`INSERT INTO events (workspace_id, contact_id, type, name, properties, context, message_id, timestamp, received_at)
      SELECT ${WS}, 'c' || (g % ${CONTACTS}), 'track', CASE g % 3 WHEN 0 THEN 'Order Completed' ELSE 'Viewed' END,
        jsonb_build_object('revenue', g % 50), NULL, 'm' || g, ${t0}::bigint + g * 1000, ${t0}::bigint + g * 1000
      FROM generate_series(1, ${EVENTS}) g`.execute(store.db);
    await sql`ANALYZE`.execute(store.db);
  }, 600_000);

  afterAll(async () => {
    await ingestStore?.close();
    await store?.close();
    const admin = new pg.Client({ connectionString: BASE });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await admin.end();
  });

  it('applies the newest migrations while ingestion runs: no ingest call waits past the bound, no big table is rewritten', async () => {
    const before = await relfilenodes();
    let applied: string[] = [];
    const m = await underIngestion(async () => {
      applied = await migrate(
        store,
        Date.now(),
        readMigrations().filter((m) => !OFFLINE.has(m.id)),
      );
    });
    console.log(
      `[online-migrations] applied ${applied.join(', ')} in ${m.ms.toFixed(0)} ms over ${EVENTS} events; ${m.requests} ingest requests of 20: p50 ${m.p50Ms.toFixed(1)} ms, max ${m.maxMs.toFixed(1)} ms`,
    );
    expect(applied).toContain('000036.sql');
    expect(applied.every((f) => Number(f.slice(0, 6)) >= NEWEST_FROM)).toBe(true);
    expect(m.requests).toBeGreaterThan(3);
    expect(m.maxMs).toBeLessThan(MAX_INGEST_MS);
    expect(await relfilenodes()).toEqual(before);
  });

  it('the measures see a migration that rewrites events (their own failure case)', async () => {
    const before = await relfilenodes();
    const m = await underIngestion(() => sql`ALTER TABLE events ADD COLUMN probe double precision DEFAULT random()`.execute(store.db));
    console.log(`[online-migrations] a rewriting ADD COLUMN took ${m.ms.toFixed(0)} ms; ${m.requests} ingest requests: p50 ${m.p50Ms.toFixed(1)} ms, max ${m.maxMs.toFixed(1)} ms`);
    expect((await relfilenodes()).events).not.toBe(before.events);
    // ACCESS EXCLUSIVE for the whole rewrite: an ingest call that started during it waited for most of it.
    expect(m.maxMs).toBeGreaterThan(m.ms * 0.5);
  });
});
