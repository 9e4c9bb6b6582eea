/**
 * @module How many contacts a broadcast would send to if it started now (GET
 * /api/broadcasts/:id/recipients), counted with the rules the send applies, through the same
 * functions: the audience the snapshot takes (./audience.ts `audienceFrom`); for marketing the
 * channel unsubscribes the broadcast's guard reads (`unsubscribedChannels`); the contact's address
 * on the channel (its descriptor); the send-time suppression and consent check of the channel
 * pipeline (`suppressionReasons`, with the channel's consent rules and the broadcast's topic).
 * Not counted: quiet hours and frequency caps (they depend on when each message is due and defer
 * or skip then), the email sunset policy and addresses stored invalid before addresses were checked.
 *
 * The audience is read 500 contacts at a time in id order, so memory holds a page, not the audience.
 */
import { sql } from 'kysely';
import type { ServiceDeps } from '../core/deps.js';
import { NotFoundError } from '../core/errors.js';
import { loadContacts } from '../contacts/load.js';
import { descriptorOf } from '../channels/descriptors.js';
import { unsubscribedChannels } from '../guards/guards.js';
import { suppressionReasons } from '../suppression/check.js';
import { audienceFrom } from './audience.js';
import { toBroadcast } from './broadcast.js';

const PAGE = 500;

export interface RecipientCount {
  /** Contacts in the audience now. */
  audience: number;
  /** Those a send now would hand to the channel. */
  recipients: number;
  excluded: { unsubscribed: number; suppressed: number; noAddress: number };
  /** The first recipient, for a preview of the message (null: nobody would get it). */
  sampleContactId: string | null;
}

export async function countRecipients(deps: ServiceDeps, workspaceId: string, broadcastId: string): Promise<RecipientCount> {
  const { db } = deps.store;
  const row = await db.selectFrom('broadcasts').selectAll().where('workspace_id', '=', workspaceId).where('id', '=', broadcastId).executeTakeFirst();
  if (!row) throw new NotFoundError('broadcast', broadcastId);
  const b = toBroadcast(row);
  const descriptor = descriptorOf(row.channel);
  const marketing = row.kind === 'marketing';
  const out: RecipientCount = { audience: 0, recipients: 0, excluded: { unsubscribed: 0, suppressed: 0, noAddress: 0 }, sampleContactId: null };
  let after = '';
  for (;;) {
    const page = await sql<{ id: string }>`SELECT c.id ${audienceFrom(row)} AND c.id > ${after} ORDER BY c.id LIMIT ${PAGE}`.execute(db);
    const ids = page.rows.map((r) => r.id);
    if (ids.length === 0) break;
    after = ids[ids.length - 1]!;
    out.audience += ids.length;
    const contacts = await loadContacts(db, ids);
    const optedOut = marketing ? await unsubscribedChannels(db, ids) : new Map<string, Set<string>>();
    const addressed: Array<{ id: string; address: string }> = [];
    for (const id of ids) {
      const contact = contacts.get(id);
      if (!contact) continue;
      if (marketing && optedOut.get(id)?.has(row.channel)) {
        out.excluded.unsubscribed++;
        continue;
      }
      if (!descriptor || descriptor.address.kind === 'none') {
        addressed.push({ id, address: '' });
        continue;
      }
      const address = descriptor.address.of(contact);
      if (!address) out.excluded.noAddress++;
      else addressed.push({ id, address });
    }
    const reasons =
      descriptor && descriptor.address.kind !== 'none'
        ? await suppressionReasons(
            db,
            addressed.map((a) => ({
              workspaceId,
              contactId: a.id,
              address: a.address,
              kind: row.kind,
              topic: b.topic ?? undefined,
              channel: descriptor.consentChannel,
              requireConsent: descriptor.consentRequired,
            })),
          )
        : addressed.map(() => null);
    addressed.forEach((a, i) => {
      if (reasons[i]) out.excluded.suppressed++;
      else {
        out.recipients++;
        out.sampleContactId ??= a.id;
      }
    });
    if (ids.length < PAGE) break;
  }
  return out;
}
