/**
 * @module The `outbox` provider, the default when no SMTP server is configured: it composes the
 * same MIME message SMTP would send (../raw.ts: CRLF throughout, DKIM-signed when the workspace has
 * a key) and stores it in the `outbox` table, where `GET /api/outbox` and the `/outbox` page show it.
 * A fresh install therefore shows its drips without any mail set-up.
 */
import { toJson } from '../../../../core/json.js';
import type { Store } from '../../../../store/store.js';
import type { Clock } from '../../../../core/clock.js';
import type { EmailProvider, OutgoingEmail, ProviderResult } from '../../provider.js';
import { InvalidRecipientError } from '../mime.js';
import { composeRaw } from '../raw.js';
import type { DkimSigner } from '../smtp/dkim.js';

export function createOutboxProvider(deps: { store: Store; clock: Clock }, dkim: DkimSigner | null = null): EmailProvider {
  return {
    name: 'outbox',
    async send(message: OutgoingEmail): Promise<ProviderResult> {
      let raw: Buffer;
      try {
        ({ raw } = await composeRaw(message, dkim));
      } catch (err) {
        if (err instanceof InvalidRecipientError) return { status: 'permanent', reason: err.message };
        throw err;
      }
      const row = await deps.store.db
        .insertInto('outbox')
        .values({
          workspace_id: message.workspaceId,
          message_id: message.recordId,
          from_address: message.from.name ? `${message.from.name} <${message.from.address}>` : message.from.address,
          to_address: message.to.address,
          subject: message.subject,
          html_body: message.html,
          text_body: message.text,
          headers: toJson({ 'Message-ID': message.messageId, ...message.headers }),
          raw: raw.toString('utf8'),
          created_at: deps.clock.now(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return { status: 'sent', providerMessageId: `outbox:${row.id}` };
    },
    async close() {},
  };
}
