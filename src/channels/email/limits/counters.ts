/**
 * @module Send counters shared by every worker (`email_send_counters`, migrations/000038.sql): one
 * row per workspace and scope holds the current window and how many sends it used.
 *
 * Taking one is ONE conditional UPDATE: it succeeds when the row's window is older (a new window:
 * the count restarts at 1) or is this window with room left. On PostgreSQL two workers updating the
 * same row queue on its lock and the second re-checks the condition against the first's commit; on
 * SQLite there is one writer. So the last send of a window is taken once, however many workers ask.
 * The row is created by the first take of a scope (INSERT … ON CONFLICT DO NOTHING, then the UPDATE
 * again). A send that took a token and then did not go (another limit held it) gives it back.
 */
import { sql } from 'kysely';
import type { Db } from '../../../store/store.js';

export interface CounterKey {
  workspaceId: string;
  scope: string;
}

function update(db: Db, key: CounterKey, window: number, limit: number) {
  return db
    .updateTable('email_send_counters')
    .set({
      used: sql<number>`CASE WHEN window_start < ${window} THEN 1 ELSE used + 1 END`,
      window_start: window,
    })
    .where('workspace_id', '=', key.workspaceId)
    .where('scope', '=', key.scope)
    .where((eb) => eb.or([eb('window_start', '<', window), eb.and([eb('window_start', '=', window), eb('used', '<', limit)])]))
    .executeTakeFirst();
}

/** Takes one send of the window starting at `window`; false when its `limit` is used up. */
export async function takeSend(db: Db, key: CounterKey, window: number, limit: number): Promise<boolean> {
  if (Number((await update(db, key, window, limit)).numUpdatedRows) === 1) return true;
  const created = await db
    .insertInto('email_send_counters')
    .values({ workspace_id: key.workspaceId, scope: key.scope, window_start: window, used: 1 })
    .onConflict((oc) => oc.columns(['workspace_id', 'scope']).doNothing())
    .executeTakeFirst();
  if (Number(created.numInsertedOrUpdatedRows ?? 0n) === 1) return true;
  // Someone created it meanwhile (or it exists and is full): ask once more.
  return Number((await update(db, key, window, limit)).numUpdatedRows) === 1;
}

/** Gives back a send taken in the window starting at `window` that did not go. */
export async function returnSend(db: Db, key: CounterKey, window: number): Promise<void> {
  await db
    .updateTable('email_send_counters')
    .set({ used: sql<number>`used - 1` })
    .where('workspace_id', '=', key.workspaceId)
    .where('scope', '=', key.scope)
    .where('window_start', '=', window)
    .where('used', '>', 0)
    .execute();
}

/** How many sends each scope's window starting at `window` used (0 for an older window). */
export async function usedIn(db: Db, workspaceId: string, scopes: readonly string[], windowOf: (scope: string) => number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  if (scopes.length === 0) return out;
  const rows = await db.selectFrom('email_send_counters').select(['scope', 'window_start', 'used']).where('workspace_id', '=', workspaceId).where('scope', 'in', scopes).execute();
  for (const r of rows) out.set(r.scope, Number(r.window_start) === windowOf(r.scope) ? Number(r.used) : 0);
  return out;
}
