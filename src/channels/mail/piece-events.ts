/**
 * @module A mail piece's contact events (docs/mail.md "Response", "Lob"): `mail.responded` (its
 * personal URL was visited), `mail.mailed`, `mail.in_transit`, `mail.delivered`, `mail.returned`
 * (the provider's tracking), each carrying the piece, its batch and, when the piece has a message
 * record, the message's journey, run and step, so journeys can wait for them and branch on them
 * and statistics attribute them. Inserted with the event's signal in the caller's transaction; the
 * dedupe key makes a repeat (a webhook delivered twice, a pURL opened twice in a minute) one event.
 */
import type { ServiceDeps } from '../../core/deps.js';
import { toJson, type JsonObject } from '../../core/json.js';
import type { StoredEvent } from '../../events/signals.js';
import type { Db } from '../../store/store.js';

export interface PieceRef {
  workspaceId: string;
  id: string;
  batchId: string;
  contactId: string;
  messageId: string | null;
  kind: string;
}

export async function pieceProperties(db: Db, piece: PieceRef): Promise<JsonObject> {
  const p: JsonObject = { channel: 'mail', pieceId: piece.id, batchId: piece.batchId, kind: piece.kind };
  if (!piece.messageId) return p;
  p.messageId = piece.messageId;
  const m = await db
    .selectFrom('messages')
    .select(['journey_id', 'run_id', 'node_id', 'template_id'])
    .where('id', '=', piece.messageId)
    .where('workspace_id', '=', piece.workspaceId)
    .executeTakeFirst();
  if (m?.journey_id) p.journeyId = m.journey_id;
  if (m?.run_id) p.runId = m.run_id;
  if (m?.node_id) p.nodeId = m.node_id;
  if (m?.template_id) p.templateId = m.template_id;
  return p;
}

/** Records the event unless its dedupe key was seen; true when it is new. */
export async function recordPieceEvent(
  deps: Pick<ServiceDeps, 'signals'>,
  trx: Db,
  piece: PieceRef,
  input: { name: string; dedupe: string; properties?: JsonObject; context?: JsonObject; now: number },
): Promise<boolean> {
  const properties = { ...(await pieceProperties(trx, piece)), ...(input.properties ?? {}) };
  const row = await trx
    .insertInto('events')
    .values({
      workspace_id: piece.workspaceId,
      contact_id: piece.contactId,
      type: 'track',
      name: input.name,
      properties: toJson(properties),
      context: toJson(input.context ?? {}),
      message_id: input.dedupe,
      timestamp: input.now,
      received_at: input.now,
    })
    .onConflict((oc) => oc.columns(['workspace_id', 'message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (!row) return false;
  const event: StoredEvent = {
    id: Number(row.id),
    workspaceId: piece.workspaceId,
    contactId: piece.contactId,
    type: 'track',
    name: input.name,
    properties,
    timestamp: input.now,
    receivedAt: input.now,
  };
  await deps.signals.emit(trx, [{ kind: 'event', event }], input.now);
  return true;
}
