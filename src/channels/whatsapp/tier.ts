/**
 * @module The messaging tier of a WhatsApp business number (docs/whatsapp.md): how many distinct
 * customers it may start conversations with (template messages) in a day: 1,000, 10,000, 100,000 or
 * unlimited, as Meta granted it. Free-form replies inside the customer-service window are not
 * business-initiated and do not count.
 *
 * `takeRecipient`, in one transaction: the number is recorded for the provider and UTC day
 * (`whatsapp_daily_recipients`; a number already there is free), then the day's count
 * (`whatsapp_daily_counts.used`) is raised by ONE conditional upsert that only succeeds below the
 * cap (the pattern of ../rate-limit.ts: PostgreSQL's row lock on the conflicting row, SQLite's one
 * writer). When it does not, the transaction is rolled back and the send waits for the next UTC day.
 * So concurrent senders never pass the cap and never waste a place. `releaseRecipient` gives back
 * a place taken for a send that did not leave.
 */
import { sql } from 'kysely';
import type { Store } from '../../store/store.js';

export const MESSAGING_TIERS = { '1k': 1_000, '10k': 10_000, '100k': 100_000, unlimited: null } as const;
export type MessagingTier = keyof typeof MESSAGING_TIERS;

const DAY_MS = 86_400_000;

export type TierTake = { ok: true; taken: boolean } | { ok: false; retryAfterMs: number; cap: number };

class TierFull extends Error {}

export async function takeRecipient(store: Store, input: { workspaceId: string; providerId: string; phone: string; cap: number | null; now: number }): Promise<TierTake> {
  if (input.cap === null) return { ok: true, taken: false };
  const { workspaceId, providerId, phone, cap } = input;
  const day = Math.floor(input.now / DAY_MS);
  try {
    return await store.transaction(async (trx) => {
      const inserted = await trx
        .insertInto('whatsapp_daily_recipients')
        .values({ workspace_id: workspaceId, provider_id: providerId, day, phone })
        .onConflict((oc) => oc.columns(['workspace_id', 'provider_id', 'day', 'phone']).doNothing())
        .returning('phone')
        .executeTakeFirst();
      if (!inserted) return { ok: true as const, taken: false };
      const { rows } = await sql<{ used: number }>`
        INSERT INTO whatsapp_daily_counts (workspace_id, provider_id, day, used) VALUES (${workspaceId}, ${providerId}, ${day}, 1)
        ON CONFLICT (workspace_id, provider_id, day) DO UPDATE SET used = whatsapp_daily_counts.used + 1
        WHERE whatsapp_daily_counts.used < ${cap}
        RETURNING used`.execute(trx);
      if (rows.length === 0) throw new TierFull();
      return { ok: true as const, taken: true };
    });
  } catch (err) {
    if (!(err instanceof TierFull)) throw err;
    return { ok: false, retryAfterMs: (day + 1) * DAY_MS - input.now, cap };
  }
}

export async function releaseRecipient(store: Store, input: { workspaceId: string; providerId: string; phone: string; now: number }): Promise<void> {
  const day = Math.floor(input.now / DAY_MS);
  await store.transaction(async (trx) => {
    const gone = await trx
      .deleteFrom('whatsapp_daily_recipients')
      .where('workspace_id', '=', input.workspaceId)
      .where('provider_id', '=', input.providerId)
      .where('day', '=', day)
      .where('phone', '=', input.phone)
      .executeTakeFirst();
    if (Number(gone.numDeletedRows) === 0) return;
    await trx
      .updateTable('whatsapp_daily_counts')
      .set((eb) => ({ used: eb('used', '-', 1) }))
      .where('workspace_id', '=', input.workspaceId)
      .where('provider_id', '=', input.providerId)
      .where('day', '=', day)
      .where('used', '>', 0)
      .execute();
  });
}
