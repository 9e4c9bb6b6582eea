/**
 * @module How a contact's timeline reads at scale, on both backends, as query plans and rows
 * touched rather than wall time (the machine is shared):
 *   QATRA_TEST_DATABASE_URL=postgres://… node --import tsx src/contacts/timeline.measure.ts [contacts]
 * Seeds `contacts` contacts (default 100,000) with 10 events each, plus one contact with 50,000
 * events and 5,000 messages, then prints EXPLAIN (ANALYZE on PostgreSQL, QUERY PLAN on SQLite) of
 * the page queries for that contact's first page and for a page 40,000 entries deep, and the time
 * of each page read through contactTimeline (median of 20).
 */
import { CompiledQuery, sql } from 'kysely';
import { systemClock } from '../core/clock.js';
import { newId } from '../core/ids.js';
import { toJson } from '../core/json.js';
import { freshDatabase } from '../../test/backends.js';
import { createWorkspace } from '../workspaces/workspaces.js';
import type { DialectName } from '../store/store.js';
import { contactTimeline, timelineQueries, type TimelineCursor } from './timeline.js';
import { defaultSignals } from '../server/signal-sinks.js';

const total = Number(process.argv[2] ?? 100_000);
const kinds: DialectName[] = process.env.QATRA_TEST_DATABASE_URL ? ['sqlite', 'postgres'] : ['sqlite'];

for (const kind of kinds) {
  const database = await freshDatabase(kind);
  const { store } = database;
  try {
    const deps = { store, signals: defaultSignals(store), clock: systemClock };
    const ws = (await createWorkspace(deps, { name: 'measure' })).id;
    const t0 = Date.UTC(2026, 0, 1);
    const ids: string[] = [];
    for (let i = 0; i < total; i += 1000) {
      const rows = Array.from({ length: Math.min(1000, total - i) }, (_, j) => ({
        id: newId('ct', t0 + i + j),
        workspace_id: ws,
        user_id: `u${i + j}`,
        email: `p${i + j}@example.com`,
        phone: null,
        timezone: null,
        locale: null,
        attributes: '{}',
        created_at: t0,
        updated_at: t0,
      }));
      await store.db.insertInto('contacts').values(rows).execute();
      ids.push(...rows.map((r) => r.id));
    }
    const hot = ids[7]!;
    let seq = 0;
    const events = async (contactId: string, n: number) => {
      for (let i = 0; i < n; i += 1000) {
        const rows = Array.from({ length: Math.min(1000, n - i) }, (_, j) => ({
          workspace_id: ws,
          contact_id: contactId,
          type: 'track',
          name: `e${(i + j) % 20}`,
          properties: toJson({ n: i + j }),
          context: null,
          message_id: `m${++seq}`,
          timestamp: t0 + (i + j) * 60_000,
          received_at: t0,
        }));
        await store.db.insertInto('events').values(rows).execute();
      }
    };
    // 10 events per contact, in batches spanning many contacts.
    for (let i = 0; i < total; i += 100) {
      const rows = [];
      for (let c = i; c < Math.min(total, i + 100); c++)
        for (let k = 0; k < 10; k++)
          rows.push({ workspace_id: ws, contact_id: ids[c]!, type: 'track', name: `e${k}`, properties: '{}', context: null, message_id: `m${++seq}`, timestamp: t0 + k * 3_600_000, received_at: t0 });
      await store.db.insertInto('events').values(rows).execute();
    }
    await events(hot, 50_000);
    for (let i = 0; i < 5000; i += 500) {
      const rows = Array.from({ length: 500 }, (_, j) => {
        const at = t0 + (i + j) * 600_000 + 30_000;
        return {
          id: newId('msg', at),
          workspace_id: ws,
          contact_id: hot,
          channel: 'email',
          kind: 'marketing' as const,
          idempotency_key: `k${i + j}`,
          status: 'sent' as const,
          links: '[]',
          subject: 'Hello',
          created_at: at,
          updated_at: at,
        };
      });
      await store.db.insertInto('messages').values(rows).execute();
    }
    if (kind === 'postgres') await sql`ANALYZE`.execute(store.db);
    else await sql`ANALYZE`.execute(store.db);

    const explain = async (q: { compile(): CompiledQuery }) => {
      const c = q.compile();
      const prefix = kind === 'postgres' ? 'EXPLAIN (ANALYZE, BUFFERS, COSTS OFF)' : 'EXPLAIN QUERY PLAN';
      const rows = await store.db.executeQuery<Record<string, string>>(CompiledQuery.raw(`${prefix} ${c.sql}`, [...c.parameters]));
      return rows.rows.map((r) => r['QUERY PLAN'] ?? r.detail).join('\n    ');
    };
    // A cursor 40,000 entries deep: page there first.
    let deep: TimelineCursor | undefined;
    for (let seen = 0; seen < 40_000; seen += 200) deep = (await contactTimeline(deps, ws, hot, { limit: 200, cursor: deep })).next ?? undefined;
    for (const [label, cursor] of [
      ['first page', undefined],
      ['40,000 entries deep', deep],
    ] as const) {
      const q = timelineQueries(store.db, hot, cursor, 51);
      console.log(
        `${kind}, ${total} contacts, ${await store.db
          .selectFrom('events')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
          .then((r) => r.n)} events; ${label}:`,
      );
      console.log(`  events:\n    ${await explain(q.events)}`);
      console.log(`  messages:\n    ${await explain(q.messages)}`);
      const times: number[] = [];
      for (let i = 0; i < 20; i++) {
        const s = performance.now();
        await contactTimeline(deps, ws, hot, { limit: 50, cursor });
        times.push(performance.now() - s);
      }
      times.sort((a, b) => a - b);
      console.log(`  contactTimeline page of 50: median ${times[10]!.toFixed(2)} ms, max ${times[19]!.toFixed(2)} ms`);
    }
  } finally {
    await database.drop();
  }
}
