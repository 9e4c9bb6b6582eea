/**
 * @module Store benchmark: what Kysely's SQLite driver pays for preparing every query anew, against
 * the same queries through our statement cache (src/store/store.ts `withStatementCache`), in the
 * same run on the same file. The workload is the shape of the hot paths' small statements: a
 * primary-key read of a contact, a read of its consents, and an update of a message row, each
 * through the typed query builder.
 *
 * Figures: `queries_per_s` (cached) with the uncached run as the baseline and the ratio.
 * `npm run bench -- store` (`--size large`: 10× the queries).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { migrate } from '../src/store/migrate.js';
import { openStore, withStatementCache, type Db } from '../src/store/store.js';
import type { Database } from '../src/store/schema.js';
import { createWorkspace } from '../src/workspaces/workspaces.js';
import { createContact } from '../src/contacts/contacts.js';
import { systemClock } from '../src/core/clock.js';
import { figure, type Bench } from './run.js';
import { defaultSignals } from '../src/server/signal-sinks.js';

async function workload(db: Db, workspaceId: string, contactIds: string[], rounds: number): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) {
    const id = contactIds[i % contactIds.length]!;
    await db.selectFrom('contacts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', id).executeTakeFirst();
    await db.selectFrom('consents').select(['channel', 'topic', 'status']).where('contact_id', '=', id).execute();
    await db.updateTable('contacts').set({ updated_at: i }).where('id', '=', id).execute();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return (rounds * 3) / seconds;
}

export const run: Bench = async (ctx) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'qatra-bench-store-'));
  const file = path.join(dir, 'qatra.db');
  try {
    const store = openStore({ sqliteFile: file });
    await migrate(store);
    const deps = { store, signals: defaultSignals(store), clock: systemClock };
    const ws = await createWorkspace(deps, { name: 'bench' });
    const ids: string[] = [];
    for (let i = 0; i < 1000; i++) ids.push((await createContact(deps, ws.id, { userId: `u${i}` })).id);
    await store.close();

    const open = (cached: boolean) => {
      const database = new BetterSqlite3(file);
      database.pragma('journal_mode = WAL');
      // The bench measures statement preparation, not fsync: NORMAL for both sides.
      database.pragma('synchronous = NORMAL');
      return new Kysely<Database>({ dialect: new SqliteDialect({ database: cached ? withStatementCache(database) : database }) });
    };
    const rounds = ctx.size === 'large' ? 200_000 : 20_000;
    // Alternate the two sides and keep each side's best, so a burst of load elsewhere hurts neither.
    let best = { cached: 0, plain: 0 };
    for (let pass = 0; pass < 3; pass++) {
      for (const cached of [false, true]) {
        const db = open(cached);
        const rate = await workload(db, ws.id, ids, rounds);
        await db.destroy();
        if (cached) best = { ...best, cached: Math.max(best.cached, rate) };
        else best = { ...best, plain: Math.max(best.plain, rate) };
      }
    }
    ctx.emit(figure({ bench: 'store', backend: 'sqlite', figure: 'queries_per_s', value: best.cached, unit: 'queries/s', baseline: best.plain }));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
};
