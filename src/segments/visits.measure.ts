/**
 * @module How the visit and session conditions (./visits.ts) run at scale, on both backends:
 *   QATRA_TEST_DATABASE_URL=postgres://… node --import tsx src/segments/visits.measure.ts [contacts]
 * Seeds `contacts` contacts (default 100,000) with 8 human page views each over 30 days (in two to
 * four sessions, a quarter of them on /pricing), 4 track events each, and 2 crawler page views each,
 * then times a full evaluation (every contact, the `full` shape) and a per-contact one (`few`, 100
 * contacts) of "at least 3 sessions in 30 days" and "visited /pricing at least twice in 7 days"
 * (median of 3), and prints the plan of the full session count.
 */
import { CompiledQuery, sql } from 'kysely';
import { systemClock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { freshDatabase } from '../../test/backends.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import type { DialectName } from '../store/store.js';
import { defaultSignals } from '../server/signal-sinks.js';
import { compileCondition } from './compile.js';
import { parseConditions } from './definition.js';

const total = Number(process.argv[2] ?? 100_000);
const kinds: DialectName[] = process.env.QATRA_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];
const DAY = 86_400_000;
const MIN = 60_000;
const NOW = Date.UTC(2026, 5, 1);

for (const kind of kinds) {
  const database = await freshDatabase(kind);
  const { store } = database;
  try {
    const deps = { store, signals: defaultSignals(store), clock: systemClock };
    const ws = (await createWorkspace(deps, { name: 'measure' })).id;
    const ids: string[] = [];
    let seq = 0;
    const t0 = Date.now();
    for (let i = 0; i < total; i += 500) {
      const contacts = Array.from({ length: Math.min(500, total - i) }, (_, j) => ({
        id: newId('ct', NOW + i + j),
        workspace_id: ws,
        user_id: `u${i + j}`,
        email: null,
        phone: null,
        timezone: null,
        locale: null,
        attributes: '{}',
        created_at: NOW,
        updated_at: NOW,
      }));
      await store.db.insertInto('contacts').values(contacts).execute();
      ids.push(...contacts.map((c) => c.id));
      const events = [];
      for (const [k, c] of contacts.entries()) {
        const n = i + k;
        const sessions = 2 + (n % 3);
        for (let v = 0; v < 8; v++) {
          const session = v % sessions;
          const at = NOW - (1 + session * 7 + (n % 5)) * DAY + v * 5 * MIN;
          const path = v % 4 === 0 ? '/pricing' : `/products/p${(n + v) % 50}`;
          events.push({
            workspace_id: ws,
            contact_id: c.id,
            type: 'page',
            name: 'page',
            properties: '{}',
            context: null,
            message_id: `m${++seq}`,
            timestamp: at,
            received_at: at,
            bot: 0,
            page_host: 'shop.example.com',
            page_path: path,
          });
        }
        for (let v = 0; v < 4; v++)
          events.push({
            workspace_id: ws,
            contact_id: c.id,
            type: 'track',
            name: `e${v}`,
            properties: '{}',
            context: null,
            message_id: `m${++seq}`,
            timestamp: NOW - v * DAY,
            received_at: NOW,
            bot: 0,
            page_host: null,
            page_path: null,
          });
        for (let v = 0; v < 2; v++)
          events.push({
            workspace_id: ws,
            contact_id: c.id,
            type: 'page',
            name: 'page',
            properties: '{}',
            context: null,
            message_id: `m${++seq}`,
            timestamp: NOW - v * 3 * DAY,
            received_at: NOW,
            bot: 1,
            page_host: null,
            page_path: '/pricing',
          });
      }
      for (let e = 0; e < events.length; e += 1000)
        await store.db
          .insertInto('events')
          .values(events.slice(e, e + 1000))
          .execute();
    }
    await sql`ANALYZE`.execute(store.db);
    console.log(`${kind}: seeded ${total} contacts, ${seq} events in ${Math.round((Date.now() - t0) / 1000)} s`);

    const count = async (conditions: unknown, mode: 'full' | 'few') => {
      const pred = compileCondition(parseConditions(conditions), { dialect: kind, workspaceId: ws, now: NOW, mode });
      const only = mode === 'few' ? sql`AND c.id IN (${sql.join(ids.slice(0, 100))})` : sql``;
      const q = sql<{ n: number }>`SELECT count(*) AS n FROM contacts c WHERE c.workspace_id = ${ws} ${only} AND ${pred}`;
      return { q, n: Number((await q.execute(store.db)).rows[0]!.n) };
    };
    for (const [label, conditions] of [
      ['at least 3 sessions in 30 days', { type: 'sessions', atLeast: 3, withinDays: 30 }],
      ['visited /pricing at least twice in 7 days', { type: 'visits', url: '/pricing', atLeast: 2, withinDays: 7 }],
    ] as const) {
      for (const mode of ['full', 'few'] as const) {
        const times: number[] = [];
        let n = 0;
        for (let r = 0; r < 3; r++) {
          const start = performance.now();
          n = (await count(conditions, mode)).n;
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        console.log(`  ${label}, ${mode}: ${n} contacts, median ${Math.round(times[1]!)} ms`);
      }
    }
    const { q } = await count({ type: 'sessions', atLeast: 3, withinDays: 30 }, 'full');
    const c = q.compile(store.db);
    const prefix = kind === 'postgres' ? 'EXPLAIN (ANALYZE, COSTS OFF)' : 'EXPLAIN QUERY PLAN';
    const plan = await store.db.executeQuery<Record<string, string>>(CompiledQuery.raw(`${prefix} ${c.sql}`, [...c.parameters]));
    console.log(`  plan (sessions, full):\n    ${plan.rows.map((r) => r['QUERY PLAN'] ?? r.detail).join('\n    ')}`);
  } finally {
    await database.drop();
  }
}
