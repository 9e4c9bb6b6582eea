/**
 * @module The 24-hour customer-service window (docs/whatsapp.md): a business may send free-form
 * messages to a number only within 24 hours of that number's last message to it; outside, only
 * approved template messages. Qatra tracks the window from inbound messages (`whatsapp_windows`,
 * keyed workspace first): `openWindow` records an inbound message's time (only ever moving forward,
 * so a late redelivery of an old message does not shorten it), `windowOpenUntil` reads it.
 */
import type { Db } from '../../store/store.js';

export const WINDOW_MS = 24 * 60 * 60 * 1000;

/** Records that `phone` wrote at `at`; keeps the later of the stored and the new time. */
export async function openWindow(db: Db, workspaceId: string, phone: string, at: number): Promise<void> {
  await db
    .insertInto('whatsapp_windows')
    .values({ workspace_id: workspaceId, phone, last_inbound_at: at })
    .onConflict((oc) => oc.columns(['workspace_id', 'phone']).doUpdateSet({ last_inbound_at: at }).where('whatsapp_windows.last_inbound_at', '<', at))
    .execute();
}

/** When the window to `phone` closes (epoch ms), or null when it never opened. */
export async function windowOpenUntil(db: Db, workspaceId: string, phone: string): Promise<number | null> {
  const row = await db.selectFrom('whatsapp_windows').select('last_inbound_at').where('workspace_id', '=', workspaceId).where('phone', '=', phone).executeTakeFirst();
  return row ? Number(row.last_inbound_at) + WINDOW_MS : null;
}
