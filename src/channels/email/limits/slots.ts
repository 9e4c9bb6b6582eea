/**
 * @module Connection caps shared by every worker (`email_send_slots`, migrations/000043.sql): a scope
 * with a cap of N has N slot rows; a send holds one while its call is in flight (an SMTP connection
 * busy with it, or an HTTP call to an ESP), and frees it when the call has answered.
 *
 * Taking one is ONE conditional UPDATE of a free slot (`lease_until` passed): on PostgreSQL the
 * sub-select skips slots another transaction is taking (SKIP LOCKED) and the UPDATE re-checks the
 * lease after any lock it waited for; on SQLite there is one writer. So a slot is held by one send
 * at a time, however many workers ask. The rows are created the first time a scope is used with a
 * cap (INSERT … ON CONFLICT DO NOTHING), and slots above a lowered cap are never taken again.
 *
 * A worker killed mid-send cannot free its slot: the lease (longer than the provider's timeout) ends
 * it. Freeing checks the holder, so a send whose lease ran out does not free a slot someone else took.
 */
import { sql } from 'kysely';
import type { Store } from '../../../store/store.js';

export interface SlotKey {
  workspaceId: string;
  scope: string;
}

/** The longest a slot stays held by a send that never answered (its worker killed): 5 minutes. */
export const SLOT_LEASE_MS = 5 * 60_000;

async function ensureSlots(store: Store, key: SlotKey, cap: number): Promise<void> {
  await store.db
    .insertInto('email_send_slots')
    .values(Array.from({ length: cap }, (_, slot) => ({ workspace_id: key.workspaceId, scope: key.scope, slot, holder: null, lease_until: 0 })))
    .onConflict((oc) => oc.columns(['workspace_id', 'scope', 'slot']).doNothing())
    .execute();
}

async function take(store: Store, key: SlotKey, cap: number, holder: string, now: number): Promise<number | null> {
  const free = sql<number>`(SELECT slot FROM email_send_slots
    WHERE workspace_id = ${key.workspaceId} AND scope = ${key.scope} AND slot < ${cap} AND lease_until <= ${now}
    ORDER BY lease_until LIMIT 1 ${store.adapter.skipLocked})`;
  const row = await store.db
    .updateTable('email_send_slots')
    .set({ holder, lease_until: now + SLOT_LEASE_MS })
    .where('workspace_id', '=', key.workspaceId)
    .where('scope', '=', key.scope)
    .where('slot', '=', free)
    .where('lease_until', '<=', now)
    .returning('slot')
    .executeTakeFirst();
  return row ? Number(row.slot) : null;
}

/**
 * A slot of `key` for the send `holder`, or null when all `cap` are in flight. `known` remembers the
 * scopes whose rows exist (per gate), so a steady send costs one statement to take and one to free.
 */
export async function takeSlot(store: Store, key: SlotKey, cap: number, holder: string, now: number, known: Set<string>): Promise<number | null> {
  const id = `${key.scope}#${cap}`;
  if (!known.has(id)) {
    await ensureSlots(store, key, cap);
    known.add(id);
  }
  return take(store, key, cap, holder, now);
}

/** Frees the slot `holder` took (nothing when its lease ran out and another send took it). */
export async function freeSlot(store: Store, key: SlotKey, slot: number, holder: string): Promise<void> {
  await store.db
    .updateTable('email_send_slots')
    .set({ holder: null, lease_until: 0 })
    .where('workspace_id', '=', key.workspaceId)
    .where('scope', '=', key.scope)
    .where('slot', '=', slot)
    .where('holder', '=', holder)
    .execute();
}

/** How many slots of each scope are held now. */
export async function slotsInUse(store: Store, workspaceId: string, now: number): Promise<Map<string, number>> {
  const rows = await store.db
    .selectFrom('email_send_slots')
    .select(['scope', (eb) => eb.fn.countAll<number>().as('n')])
    .where('workspace_id', '=', workspaceId)
    .where('lease_until', '>', now)
    .groupBy('scope')
    .execute();
  return new Map(rows.map((r) => [r.scope, Number(r.n)]));
}
