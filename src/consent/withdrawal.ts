/**
 * @module The `unsubscribed` event: every consent withdrawal (a change of a (channel, topic) record
 * to `unsubscribed`, whatever the route: one-click, the unsubscribe page, the preference centre, the
 * mailto address, a complaint, the consent API, later SMS STOP) is recorded as a contact event and
 * emits the `event` signal in the withdrawing transaction, so journeys (`exitWhen`, goals, waits),
 * segments and lead scoring react exactly as to an ingested event (docs/journeys.md).
 *
 * Properties: `channel`, `topic` (only for a topic's withdrawal; absent for the whole channel) and
 * `source`, one of WITHDRAWAL_SOURCES; the ledger row keeps the exact source string. The event's
 * `messageId` is `consent:<consent_history id>`, so it is unique and points at its ledger row.
 */
import { toJson, type JsonObject } from '../core/json.js';
import type { Signals, StoredEvent } from '../events/signals.js';
import type { Db } from '../store/store.js';

export const UNSUBSCRIBED_EVENT = 'unsubscribed';

/** The documented values of the event's `source` property. */
export const WITHDRAWAL_SOURCES = ['one_click', 'page', 'preferences', 'mailto', 'complaint', 'sms_stop', 'api'] as const;
export type WithdrawalSource = (typeof WITHDRAWAL_SOURCES)[number];

/** Maps a consent ledger source (`one-click`, `complaint:smtp`, …) to the event's `source`. */
export function withdrawalSource(ledgerSource: string | null): WithdrawalSource {
  const s = ledgerSource ?? '';
  if (s === 'one-click') return 'one_click';
  if (s === 'unsubscribe-page') return 'page';
  if (s === 'preference-center') return 'preferences';
  if (s === 'mailto') return 'mailto';
  if (s === 'complaint' || s.startsWith('complaint:')) return 'complaint';
  if (s === 'sms_reply' || s === 'sms-stop' || s.startsWith('sms-stop:')) return 'sms_stop';
  // The consent API, the CLI and imports: the ledger row says which.
  return 'api';
}

export interface Withdrawal {
  workspaceId: string;
  contactId: string;
  channel: string;
  topic: string;
  ledgerSource: string | null;
  historyId: number;
  ip?: string | null | undefined;
  userAgent?: string | null | undefined;
  now: number;
}

/** Records the `unsubscribed` event of one withdrawal and emits its signal, inside `trx`. */
export async function recordWithdrawal(trx: Db, signals: Signals, w: Withdrawal): Promise<void> {
  const properties: JsonObject = { channel: w.channel, source: withdrawalSource(w.ledgerSource) };
  if (w.topic) properties.topic = w.topic;
  const context: JsonObject = {};
  if (w.ip) context.ip = w.ip;
  if (w.userAgent) context.userAgent = w.userAgent;
  const row = await trx
    .insertInto('events')
    .values({
      workspace_id: w.workspaceId,
      contact_id: w.contactId,
      type: 'track',
      name: UNSUBSCRIBED_EVENT,
      properties: toJson(properties),
      context: toJson(context),
      message_id: `consent:${w.historyId}`,
      timestamp: w.now,
      received_at: w.now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const event: StoredEvent = { id: Number(row.id), workspaceId: w.workspaceId, contactId: w.contactId, type: 'track', name: UNSUBSCRIBED_EVENT, properties, timestamp: w.now, receivedAt: w.now };
  await signals.emit(trx, [{ kind: 'event', event }], w.now);
}
