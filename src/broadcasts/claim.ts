/**
 * @module Claiming a batch of a broadcast's due recipients with a lease, throttled.
 *
 * One transaction: lock the broadcast row (PostgreSQL FOR UPDATE; SQLite's BEGIN IMMEDIATE already
 * serialises writers), give up unless it is `sending` and its `throttle_at` has come, lease up to n
 * recipients (PostgreSQL FOR UPDATE SKIP LOCKED, as in src/journeys/runtime/claim.ts), and push
 * `throttle_at` forward by what was claimed: m recipients at r msg/s → m/r seconds. Every worker
 * claims through the same row, so the rate holds across workers; a claim is at most one second's
 * worth (n ≤ r), so in any window T at most r·T + r messages leave. throttle_at never lags behind
 * `now`, so an idle spell does not bank a burst.
 *
 * The lock is held only for the claim itself (milliseconds), not while sending. A recipient whose
 * lease expired (its worker died) is claimable again; every later write of the claimer is
 * conditional on `claimed_by = token`.
 */
import { sql } from 'kysely';
import type { Store } from '../store/store.js';
import type { BroadcastRow } from './broadcast.js';

export interface ClaimedRecipient {
  contact_id: string;
  attempts: number;
  due_at: number;
}

export interface Claim {
  broadcast: BroadcastRow;
  recipients: ClaimedRecipient[];
}

export async function claimRecipients(store: Store, broadcastId: string, token: string, now: number, leaseMs: number, batchSize: number): Promise<Claim | null> {
  return store.transaction(async (trx) => {
    const found = await sql<BroadcastRow>`SELECT * FROM broadcasts WHERE id = ${broadcastId} ${store.adapter.forUpdate}`.execute(trx);
    const b = found.rows[0];
    if (!b || b.status !== 'sending') return null;
    const rate = b.rate_per_s === null ? null : Number(b.rate_per_s);
    if (rate !== null && Number(b.throttle_at) > now) return { broadcast: b, recipients: [] };
    const n = rate === null ? batchSize : Math.max(1, Math.min(batchSize, rate));
    // A MATERIALIZED CTE, not `contact_id IN (SELECT … LIMIT n FOR UPDATE SKIP LOCKED)`: PostgreSQL
    // may run such a subquery once per outer row, and as each run skips the rows this very UPDATE
    // has just locked, the LIMIT stopped limiting (a batch of 3 claimed all 10; found by the pause
    // test in control.test.ts). SQLite runs the same statement inside this BEGIN IMMEDIATE.
    const query = sql<ClaimedRecipient>`
      WITH picked AS MATERIALIZED (
        SELECT contact_id FROM broadcast_recipients
        WHERE broadcast_id = ${broadcastId} AND status = 'pending' AND due_at <= ${now}
          AND (lease_until IS NULL OR lease_until < ${now})
        ORDER BY due_at
        LIMIT ${n}
        ${store.adapter.skipLocked}
      )
      UPDATE broadcast_recipients SET claimed_by = ${token}, lease_until = ${now + leaseMs}
      WHERE broadcast_id = ${broadcastId} AND contact_id IN (SELECT contact_id FROM picked)
      RETURNING contact_id, attempts, due_at`;
    const rows = (await query.execute(trx)).rows;
    if (rate !== null && rows.length > 0) {
      const next = Math.max(Number(b.throttle_at), now) + Math.ceil((rows.length * 1000) / rate);
      await trx.updateTable('broadcasts').set({ throttle_at: next }).where('id', '=', broadcastId).execute();
    }
    return { broadcast: b, recipients: rows.map((r) => ({ contact_id: r.contact_id, attempts: Number(r.attempts), due_at: Number(r.due_at) })) };
  });
}

/** True while any recipient is still pending (uses the partial index). */
export async function hasPending(store: Store, broadcastId: string): Promise<boolean> {
  const row = await store.db.selectFrom('broadcast_recipients').select('contact_id').where('broadcast_id', '=', broadcastId).where('status', '=', 'pending').limit(1).executeTakeFirst();
  return row !== undefined;
}

/** sending → completed once nothing is pending; conditional, so a paused or cancelled one stays so. */
export async function completeIfDone(store: Store, broadcastId: string, now: number): Promise<boolean> {
  if (await hasPending(store, broadcastId)) return false;
  const res = await store.db
    .updateTable('broadcasts')
    .set({ status: 'completed', completed_at: now, updated_at: now })
    .where('id', '=', broadcastId)
    .where('status', '=', 'sending')
    .executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}
