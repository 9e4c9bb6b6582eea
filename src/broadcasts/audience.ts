/**
 * @module Starting a broadcast: in ONE transaction, move it scheduled → sending and snapshot its
 * audience into broadcast_recipients with INSERT … SELECT, so a million contacts never pass through
 * this process's memory and a crash leaves either no snapshot or a whole one. Later changes to the
 * segment or list do not change who gets this broadcast; unsubscribes and suppressions still count,
 * because they are checked at send time.
 *
 * Local-time delivery ("09:00 local"): each recipient is due at the first `localTime` in its own zone
 * (the contact's, else the workspace's; docs/standards.md §4) at or after the start. The contact's zone is
 * copied into the snapshot, and due_at is set with one UPDATE per distinct zone (a few hundred at
 * most), not one per contact.
 */
import { sql } from 'kysely';
import type { Db, Store } from '../store/store.js';
import { nextTimeOfDay, zoneFor } from '../core/local-time.js';
import { workspaceZone } from '../workspaces/workspaces.js';
import type { BroadcastRow } from './broadcast.js';

/**
 * The audience as `FROM … WHERE …` over contacts `c`: a segment's current members, or a list's
 * subscribed members. The snapshot below and the recipient count (./recipients.ts) both read it.
 */
export function audienceFrom(b: Pick<BroadcastRow, 'audience_type' | 'audience_id' | 'workspace_id'>) {
  return b.audience_type === 'segment'
    ? sql`FROM segment_members m JOIN contacts c ON c.id = m.contact_id
        WHERE m.segment_id = ${b.audience_id} AND m.workspace_id = ${b.workspace_id}`
    : sql`FROM list_memberships m JOIN contacts c ON c.id = m.contact_id
        WHERE m.list_id = ${b.audience_id} AND m.workspace_id = ${b.workspace_id} AND m.status = 'subscribed'`;
}

/** Snapshots the recipients; returns how many. */
async function snapshot(trx: Db, b: BroadcastRow, dueAt: number): Promise<number> {
  const res = await sql`
    INSERT INTO broadcast_recipients (broadcast_id, contact_id, workspace_id, tz, due_at, status, attempts)
    SELECT ${b.id}, c.id, c.workspace_id, c.timezone, ${dueAt}, 'pending', 0
    ${audienceFrom(b)}`.execute(trx);
  return Number(res.numAffectedRows ?? 0);
}

/** Sets due_at per distinct zone for a local-time broadcast. */
async function localDueTimes(trx: Db, b: BroadcastRow, startAt: number, localTime: string): Promise<void> {
  const fallback = await workspaceZone(trx, b.workspace_id);
  const zones = await trx.selectFrom('broadcast_recipients').select('tz').distinct().where('broadcast_id', '=', b.id).execute();
  for (const { tz } of zones) {
    const due = nextTimeOfDay(startAt, zoneFor(tz, fallback), localTime);
    let q = trx.updateTable('broadcast_recipients').set({ due_at: due }).where('broadcast_id', '=', b.id);
    q = tz === null ? q.where('tz', 'is', null) : q.where('tz', '=', tz);
    await q.execute();
  }
}

/**
 * Starts the broadcast if it is still scheduled and due; returns the recipients snapshotted, or null
 * when another worker (or a pause or cancel) got there first.
 */
export async function startBroadcast(store: Store, id: string, now: number): Promise<number | null> {
  return store.transaction(async (trx) => {
    // The conditional UPDATE is the lock: a second worker waits on the row (PostgreSQL) or the write
    // lock (SQLite), then finds it no longer scheduled.
    const moved = await trx
      .updateTable('broadcasts')
      .set({ status: 'sending', started_at: now, updated_at: now, throttle_at: now })
      .where('id', '=', id)
      .where('status', '=', 'scheduled')
      .where('send_at', '<=', now)
      .returningAll()
      .executeTakeFirst();
    if (!moved) return null;
    const startAt = Number(moved.send_at ?? now);
    const total = await snapshot(trx, moved, startAt);
    if (moved.local_time) await localDueTimes(trx, moved, startAt, moved.local_time);
    await trx.updateTable('broadcasts').set({ total }).where('id', '=', id).execute();
    return total;
  });
}
