/**
 * @module Lob's tracking events, applied to our pieces (docs/mail.md "Lob"). An event (`object:
 * "event"`) names its type in `event_type.id` (`letter.mailed`, `postcard.delivered`, …) and the
 * piece in `reference_id` (or `body.id`). The types we act on:
 *
 *   mailed → mailed;  in_transit, in_local_area, processed_for_delivery, re-routed → in_transit;
 *   delivered → delivered;  returned_to_sender → returned;  rejected, failed → failed
 *
 * A piece's status only moves forward (a late `in_transit` after `delivered` changes nothing), and
 * each event id is applied once (the contact event's dedupe key). Every applied event records the
 * contact event `mail.<status>` (./piece-events.ts), so a journey can wait until the postcard has
 * landed. Returned mail marks the address undeliverable: a `hard_bounce` suppression on the
 * address's key (../address-key.ts), which stops every later piece to it, whoever it is for.
 */
import type { ServiceDeps } from '../../../core/deps.js';
import { fromJson } from '../../../core/json.js';
import type { PostalAddress } from '../../../contacts/postal-address.js';
import { suppress } from '../../../suppression/suppressions.js';
import { mailAddressKey } from '../address-key.js';
import { recordPieceEvent } from '../piece-events.js';
import type { MailPieceStatus } from '../tables.js';

export type LobTrackingStatus = Extract<MailPieceStatus, 'mailed' | 'in_transit' | 'delivered' | 'returned' | 'failed'>;

export interface LobEvent {
  id: string;
  type: string;
  status: LobTrackingStatus;
  providerPieceId: string;
}

const STATUS: Record<string, LobTrackingStatus> = {
  mailed: 'mailed',
  in_transit: 'in_transit',
  in_local_area: 'in_transit',
  processed_for_delivery: 'in_transit',
  're-routed': 'in_transit',
  delivered: 'delivered',
  returned_to_sender: 'returned',
  rejected: 'failed',
  failed: 'failed',
};

const RANK: Record<MailPieceStatus, number> = { created: 0, submitted: 1, mailed: 2, in_transit: 3, delivered: 4, returned: 5, failed: 5 };

/** The event we act on, or null (another resource, a type we do not track, a malformed body). */
export function parseLobEvent(body: unknown): LobEvent | null {
  if (!body || typeof body !== 'object') return null;
  const b = body as Record<string, unknown>;
  const type = (b.event_type as { id?: unknown } | undefined)?.id;
  if (typeof b.id !== 'string' || typeof type !== 'string') return null;
  const m = /^(letter|postcard)\.([a-z_-]+)$/.exec(type);
  const status = m ? STATUS[m[2]!] : undefined;
  if (!status) return null;
  const ref = typeof b.reference_id === 'string' ? b.reference_id : (b.body as { id?: unknown } | undefined)?.id;
  if (typeof ref !== 'string' || ref === '' || ref.length > 100) return null;
  return { id: b.id.slice(0, 100), type, status, providerPieceId: ref };
}

export type ApplyResult = 'applied' | 'unknown_piece' | 'stale';

export async function applyLobEvent(deps: ServiceDeps, workspaceId: string, event: LobEvent): Promise<ApplyResult> {
  return deps.store.transaction(async (trx) => {
    const piece = await deps.store.adapter
      .lockRows(trx.selectFrom('mail_pieces').selectAll().where('workspace_id', '=', workspaceId).where('provider_piece_id', '=', event.providerPieceId))
      .executeTakeFirst();
    if (!piece) return 'unknown_piece';
    const now = deps.clock.now();
    const ref = { workspaceId, id: piece.id, batchId: piece.batch_id, contactId: piece.contact_id, messageId: piece.message_id, kind: piece.kind };
    const fresh = await recordPieceEvent(deps, trx, ref, { name: `mail.${event.status}`, dedupe: `lob:${event.id}`, properties: { provider: 'lob', providerEvent: event.type }, now });
    if (!fresh || RANK[event.status] <= RANK[piece.status]) return 'stale';
    await trx.updateTable('mail_pieces').set({ status: event.status, updated_at: now }).where('workspace_id', '=', workspaceId).where('id', '=', piece.id).execute();
    if (event.status === 'delivered' && piece.message_id) {
      await trx.updateTable('messages').set({ delivery_status: 'delivered', delivered_at: now }).where('id', '=', piece.message_id).where('workspace_id', '=', workspaceId).execute();
    }
    if (event.status === 'returned') {
      const address = fromJson<PostalAddress>(piece.address);
      await suppress(trx, { workspaceId, address: mailAddressKey(address), reason: 'hard_bounce', source: 'lob', detail: `returned to sender (${piece.id})`, now });
    }
    return 'applied';
  });
}
