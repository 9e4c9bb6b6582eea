/**
 * @module The `outbox` provider, the default when no SMTP server is configured: it composes the
 * same MIME message SMTP would send and stores it in the `outbox` table, where `GET /api/outbox`
 * and the `/outbox` page show it. A fresh install therefore shows its drips without any mail set-up.
 */
import MailComposer from 'nodemailer/lib/mail-composer';
import { toJson } from '../../../../core/json.js';
import type { Store } from '../../../../store/store.js';
import type { Clock } from '../../../../core/clock.js';
import type { EmailProvider, OutgoingEmail, ProviderResult } from '../../provider.js';
import { InvalidRecipientError, toMailOptions } from '../mime.js';

export function createOutboxProvider(deps: { store: Store; clock: Clock }): EmailProvider {
  return {
    name: 'outbox',
    async send(message: OutgoingEmail): Promise<ProviderResult> {
      let options: ReturnType<typeof toMailOptions>;
      try {
        options = toMailOptions(message);
      } catch (err) {
        if (err instanceof InvalidRecipientError) return { status: 'permanent', reason: err.message };
        throw err;
      }
      const raw = await new Promise<Buffer>((resolve, reject) => {
        new MailComposer(options as never).compile().build((err, out) => (err ? reject(err) : resolve(out)));
      });
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
