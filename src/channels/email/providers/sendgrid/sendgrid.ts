/**
 * @module The `sendgrid` provider: SendGrid's v3 `POST /v3/mail/send` with the API key as a bearer
 * token (SendGrid takes no raw MIME: personalizations, from, subject, content and headers, Message-ID
 * and the List-Unsubscribe headers among them; SendGrid signs DKIM itself). Our record id travels as
 * the custom arg `qatra_message_id`, which SendGrid puts on every event; the `X-Message-Id` answer
 * header is the provider message id (events carry it as the start of `sg_message_id`). SendGrid's
 * own click and open tracking stay off: Qatra's links and pixel are already in the body.
 *
 * Errors: 202 → sent; 400 and 413 (the body's `errors[]`) → permanent; 401/403 (key or sender
 * identity), 429 and 5xx → retryable. SendGrid accepts suppressed recipients and reports them as
 * `dropped` events (./webhook.ts).
 */
import type { Clock } from '../../../../core/clock.js';
import type { EmailProvider, OutgoingEmail, ProviderResult } from '../../provider.js';
import type { EmailSecrets, EmailSettings } from '../../settings.js';
import { endpoint, espTransport, failureResult, jsonOf, statusResult } from '../esp/http.js';
import { RECORD_ID_FIELD } from '../esp/kinds.js';
import { checkedRecipient, espConfig, extraHeaders } from '../esp/message.js';

export const SENDGRID_BASE_URL = 'https://api.sendgrid.com';

const mailbox = (m: { address: string; name?: string | undefined }) => (m.name ? { email: m.address, name: m.name } : { email: m.address });

export function createSendgridProvider(deps: { clock: Clock; allowPrivateOutbound: boolean; timeoutMs?: number }, settings: EmailSettings, secrets: EmailSecrets): EmailProvider {
  const { esp, credentials } = espConfig('sendgrid', settings, secrets);
  const transport = espTransport(deps);
  const url = endpoint(esp.baseUrl ?? SENDGRID_BASE_URL, '/v3/mail/send');
  return {
    name: 'sendgrid',
    async send(message: OutgoingEmail): Promise<ProviderResult> {
      const checked = checkedRecipient(message);
      if ('refused' in checked) return checked.refused;
      const body = JSON.stringify({
        personalizations: [{ to: [mailbox({ ...message.to, address: checked.to })], custom_args: { [RECORD_ID_FIELD]: message.recordId } }],
        from: mailbox(message.from),
        ...(message.replyTo ? { reply_to: { email: message.replyTo } } : {}),
        subject: message.subject,
        content: [
          { type: 'text/plain', value: message.text },
          { type: 'text/html', value: message.html },
        ],
        headers: Object.fromEntries(extraHeaders(message)),
        tracking_settings: { click_tracking: { enable: false }, open_tracking: { enable: false } },
      });
      const answer = await transport.request(url, 'POST', { 'content-type': 'application/json', authorization: `Bearer ${credentials.apiKey ?? ''}` }, body);
      if (answer.kind !== 'answer') return failureResult('sendgrid', answer);
      const id = answer.headers['x-message-id'];
      if (answer.status === 202 || answer.status === 200) return typeof id === 'string' && id ? { status: 'sent', providerMessageId: id } : { status: 'sent' };
      const errors = jsonOf(answer)?.errors;
      const detail = Array.isArray(errors)
        ? errors
            .map((e: { message?: unknown; field?: unknown }) => `${typeof e.field === 'string' ? `${e.field}: ` : ''}${String(e.message ?? '')}`)
            .join('; ')
            .slice(0, 300)
        : answer.body.slice(0, 300);
      return statusResult('sendgrid', answer, detail, deps.clock.now());
    },
    async close() {
      transport.close();
    },
  };
}
