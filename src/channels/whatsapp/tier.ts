/**
 * @module The messaging tier of a WhatsApp business number (docs/whatsapp.md): how many distinct
 * customers it may start conversations with (template messages) in a day: 1,000, 10,000, 100,000 or
 * unlimited, as Meta granted it. Free-form replies inside the customer-service window are not
 * business-initiated and do not count.
 *
 * `takeRecipient` counts a number once per provider and UTC day (`whatsapp_daily_recipients`): a
 * number already counted today is free; a new one is inserted, then the day's rows are counted, and
 * if that passes the cap the row is removed again and the send waits for the next UTC day. Two
 * workers racing for the last place may both remove theirs (the cap is under-used by one), never
 * both keep it: the cap is never exceeded. `releaseRecipient` gives back a place taken for a send
 * that did not leave.
 */
import type { Db } from '../../store/store.js';

export const MESSAGING_TIERS = { '1k': 1_000, '10k': 10_000, '100k': 100_000, unlimited: null } as const;
export type MessagingTier = keyof typeof MESSAGING_TIERS;

const DAY_MS = 86_400_000;

export type TierTake = { ok: true; taken: boolean } | { ok: false; retryAfterMs: number; cap: number };

export async function takeRecipient(db: Db, input: { workspaceId: string; providerId: string; phone: string; cap: number | null; now: number }): Promise<TierTake> {
  if (input.cap === null) return { ok: true, taken: false };
  const day = Math.floor(input.now / DAY_MS);
  const key = { workspace_id: input.workspaceId, provider_id: input.providerId, day, phone: input.phone };
  const inserted = await db
    .insertInto('whatsapp_daily_recipients')
    .values(key)
    .onConflict((oc) => oc.columns(['workspace_id', 'provider_id', 'day', 'phone']).doNothing())
    .returning('phone')
    .executeTakeFirst();
  if (!inserted) return { ok: true, taken: false };
  const row = await db
    .selectFrom('whatsapp_daily_recipients')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('workspace_id', '=', input.workspaceId)
    .where('provider_id', '=', input.providerId)
    .where('day', '=', day)
    .executeTakeFirstOrThrow();
  if (Number(row.n) <= input.cap) return { ok: true, taken: true };
  await releaseRecipient(db, { ...input, day });
  return { ok: false, retryAfterMs: (day + 1) * DAY_MS - input.now, cap: input.cap };
}

export async function releaseRecipient(db: Db, input: { workspaceId: string; providerId: string; phone: string; now?: number; day?: number }): Promise<void> {
  const day = input.day ?? Math.floor(input.now! / DAY_MS);
  await db
    .deleteFrom('whatsapp_daily_recipients')
    .where('workspace_id', '=', input.workspaceId)
    .where('provider_id', '=', input.providerId)
    .where('day', '=', day)
    .where('phone', '=', input.phone)
    .execute();
}
