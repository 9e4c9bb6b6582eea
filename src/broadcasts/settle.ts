/**
 * @module The hot writes of a broadcast batch, by hand (like src/journeys/runtime/bulk.ts): one
 * statement settles every recipient of the batch, the rows travelling as one JSON parameter
 * (PostgreSQL `jsonb_to_recordset`, SQLite `json_each`), and one moves the broadcast's counters by
 * exactly the rows that statement changed. Both are conditional on the claim token, so a worker whose
 * lease expired (and whose recipients another worker took over) changes nothing and counts nothing.
 *
 * `claimed_by = token` alone stands for "still pending and ours" (settling clears claimed_by in the
 * same write). On SQLite the journeys' `UPDATE … FROM json_each` form was planned with the
 * recipients as the outer loop (EXPLAIN QUERY PLAN: SEARCH r USING INDEX … (broadcast_id=?)), i.e.
 * every recipient of the broadcast scanned per batch: 25-175 ms per batch at 5,000 recipients,
 * growing with N; per-column lookups into the JSON cost ~60 ms (the text is parsed per lookup). The
 * grouped IN-list UPDATEs (settleGrouped) are primary-key lookups: ~1 ms per batch of 100.
 */
import { sql } from 'kysely';
import type { Db, DialectName } from '../store/store.js';
import type { RecipientStatus } from './tables.js';

export interface RecipientSettlement {
  contact_id: string;
  status: RecipientStatus;
  /** The next attempt's time while still pending (deferred, retryable). */
  due_at: number;
  attempts: number;
  error: string | null;
}

/**
 * SQLite: one UPDATE … WHERE contact_id IN (…) per group of rows that take the same values; a
 * batch of sends is mostly one group ("sent", attempts 1). Settled rows keep their due_at.
 */
async function settleGrouped(trx: Db, broadcastId: string, token: string, now: number, rows: readonly RecipientSettlement[]): Promise<{ status: RecipientStatus }[]> {
  const groups = new Map<string, { row: RecipientSettlement; ids: string[] }>();
  for (const r of rows) {
    const key = JSON.stringify([r.status, r.error, r.attempts, r.status === 'pending' ? r.due_at : null]);
    const g = groups.get(key);
    if (g) g.ids.push(r.contact_id);
    else groups.set(key, { row: r, ids: [r.contact_id] });
  }
  const out: { status: RecipientStatus }[] = [];
  for (const { row, ids } of groups.values()) {
    for (let i = 0; i < ids.length; i += 500) {
      const pending = row.status === 'pending';
      const updated = await trx
        .updateTable('broadcast_recipients')
        .set({ status: row.status, error: row.error, attempts: row.attempts, settled_at: pending ? null : now, claimed_by: null, lease_until: null, ...(pending ? { due_at: row.due_at } : {}) })
        .where('broadcast_id', '=', broadcastId)
        .where('claimed_by', '=', token)
        .where('contact_id', 'in', ids.slice(i, i + 500))
        .returning('status')
        .execute();
      out.push(...updated);
    }
  }
  return out;
}

/** Settles the recipients this claim still holds and moves the counters; returns how many it settled. */
export async function settleRecipients(trx: Db, dialect: DialectName, broadcastId: string, token: string, now: number, rows: readonly RecipientSettlement[]): Promise<number> {
  if (rows.length === 0) return 0;
  const json = JSON.stringify(rows);
  const settled =
    dialect === 'postgres'
      ? (
          await sql<{ status: RecipientStatus }>`
            UPDATE broadcast_recipients AS r SET status = v.status, due_at = v.due_at, attempts = v.attempts, error = v.error,
              settled_at = CASE WHEN v.status = 'pending' THEN NULL ELSE ${now}::bigint END, claimed_by = NULL, lease_until = NULL
            FROM jsonb_to_recordset(${json}::jsonb) AS v(contact_id text, status text, due_at bigint, attempts integer, error text)
            WHERE r.broadcast_id = ${broadcastId} AND r.contact_id = v.contact_id AND r.claimed_by = ${token}
            RETURNING r.status`.execute(trx)
        ).rows
      : await settleGrouped(trx, broadcastId, token, now, rows);
  const count = (s: RecipientStatus) => settled.filter((r) => r.status === s).length;
  const sent = count('sent');
  const failed = count('failed');
  const skipped = count('skipped');
  if (sent + failed + skipped > 0) {
    await trx
      .updateTable('broadcasts')
      .set((eb) => ({ sent: eb('sent', '+', sent), failed: eb('failed', '+', failed), skipped: eb('skipped', '+', skipped), updated_at: now }))
      .where('id', '=', broadcastId)
      .execute();
  }
  return settled.length;
}

/** Refreshes the lease of the recipients this claim still holds; returns their ids (the rest were taken over). */
export async function confirmClaim(trx: Db, broadcastId: string, token: string, leaseUntil: number, contactIds: readonly string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (let i = 0; i < contactIds.length; i += 500) {
    const rows = await trx
      .updateTable('broadcast_recipients')
      .set({ lease_until: leaseUntil })
      .where('broadcast_id', '=', broadcastId)
      .where('claimed_by', '=', token)
      .where('status', '=', 'pending')
      .where('contact_id', 'in', contactIds.slice(i, i + 500))
      .returning('contact_id')
      .execute();
    for (const r of rows) out.add(r.contact_id);
  }
  return out;
}

/** Gives the claim's recipients back untouched (the broadcast was paused or cancelled meanwhile). */
export async function releaseClaim(db: Db, broadcastId: string, token: string, contactIds: readonly string[]): Promise<void> {
  for (let i = 0; i < contactIds.length; i += 500) {
    await db
      .updateTable('broadcast_recipients')
      .set({ claimed_by: null, lease_until: null })
      .where('broadcast_id', '=', broadcastId)
      .where('claimed_by', '=', token)
      .where('contact_id', 'in', contactIds.slice(i, i + 500))
      .execute();
  }
}
