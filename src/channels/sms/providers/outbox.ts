/**
 * @module The dev SMS outbox, the default provider of a workspace that configured none: an SMS
 * "sent" here is a row of the outbox (channel `sms`), seen in `/outbox` and `/api/outbox` beside the
 * emails, so a fresh install shows its SMS drips without an aggregator. Receipts: none (an outbox
 * message is never delivered to a phone, so statistics never count it as delivered).
 */
import type { Clock } from '../../../core/clock.js';
import { toJson } from '../../../core/json.js';
import type { Store } from '../../../store/store.js';
import type { SmsMessage, SmsProvider, SmsSendResult } from '../provider.js';

export function createSmsOutbox(deps: { store: Store; clock: Clock }, workspaceId: string): SmsProvider {
  return {
    kind: 'outbox',
    async send(message: SmsMessage): Promise<SmsSendResult> {
      const row = await deps.store.db
        .insertInto('outbox')
        .values({
          workspace_id: workspaceId,
          channel: 'sms',
          message_id: message.recordId,
          from_address: message.from,
          to_address: message.to,
          subject: '',
          html_body: null,
          text_body: message.body,
          headers: toJson({ encoding: message.encoding, segments: message.segments }),
          raw: message.body,
          created_at: deps.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { status: 'sent', providerMessageId: `outbox:${row.id}` };
    },
    async close() {},
  };
}
