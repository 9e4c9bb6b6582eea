/**
 * @module Measured response (docs/mail.md "Response"): a visit to a piece's personal URL
 * (`GET /m/TOKEN`, or its QR code) is the piece's response. The token is checked like an SMS short
 * link (its HMAC under the workspace's tracking secret, ../sms/short-links.ts) before it is trusted;
 * then, in one transaction, the contact event `mail.responded` is recorded with the piece, its
 * message, journey, run and step (./piece-events.ts: journeys can wait for it and branch on it),
 * the piece's `responded_at` is set (first visit) and its message's click counters move, so the
 * message statistics and ROI (the message's `cost_micros`, set when the batch was built) count it.
 * Visits within the same minute are one response.
 */
import type { ServiceDeps } from '../../core/deps.js';
import type { JsonObject } from '../../core/json.js';
import type { Store } from '../../store/store.js';
import { workspaceSecret } from '../../tracking/tokens.js';
import { shortTokenValid } from '../sms/short-links.js';
import { recordPieceEvent, type PieceRef } from './piece-events.js';

export interface RespondingPiece extends PieceRef {
  targetUrl: string | null;
  promoCode: string | null;
}

/** The piece a pURL token names, or null (malformed, unknown, or its signature fails). */
export async function resolvePieceToken(store: Store, token: string, secrets?: Map<string, string>): Promise<RespondingPiece | null> {
  if (!/^[0-9A-Za-z]{11}$/.test(token)) return null;
  const row = await store.db
    .selectFrom('mail_pieces')
    .select(['workspace_id', 'id', 'batch_id', 'contact_id', 'message_id', 'kind', 'target_url', 'promo_code', 'status'])
    .where('token', '=', token)
    .executeTakeFirst();
  if (!row || row.status === 'failed') return null;
  if (!shortTokenValid(await workspaceSecret(store, row.workspace_id, secrets), token)) return null;
  return {
    workspaceId: row.workspace_id,
    id: row.id,
    batchId: row.batch_id,
    contactId: row.contact_id,
    messageId: row.message_id,
    kind: row.kind,
    targetUrl: row.target_url,
    promoCode: row.promo_code,
  };
}

export interface Visit {
  userAgent?: string | undefined;
  ip?: string | undefined;
  now: number;
}

/** Records the response; true when it is a new one (not a repeat within the minute). */
export async function recordResponse(deps: ServiceDeps, piece: RespondingPiece, visit: Visit): Promise<boolean> {
  return deps.store.transaction(async (trx) => {
    const context: JsonObject = {};
    if (visit.userAgent) context.userAgent = visit.userAgent.slice(0, 500);
    if (visit.ip) context.ip = visit.ip;
    const properties: JsonObject = piece.promoCode ? { promoCode: piece.promoCode } : {};
    const fresh = await recordPieceEvent(deps, trx, piece, { name: 'mail.responded', dedupe: `respond:${piece.id}:${Math.floor(visit.now / 60_000)}`, properties, context, now: visit.now });
    if (!fresh) return false;
    await trx
      .updateTable('mail_pieces')
      .set((eb) => ({ responded_at: eb.fn.coalesce('responded_at', eb.val(visit.now)), updated_at: visit.now }))
      .where('workspace_id', '=', piece.workspaceId)
      .where('id', '=', piece.id)
      .execute();
    if (piece.messageId) {
      await trx
        .updateTable('messages')
        .set((eb) => ({ click_count: eb('click_count', '+', 1), first_clicked_at: eb.fn.coalesce('first_clicked_at', eb.val(visit.now)) }))
        .where('id', '=', piece.messageId)
        .where('workspace_id', '=', piece.workspaceId)
        .execute();
    }
    return true;
  });
}
