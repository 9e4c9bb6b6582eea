/**
 * @module The `postmark` provider: Postmark's `POST /email` with `X-Postmark-Server-Token` and the
 * workspace's `MessageStream` (Postmark takes no raw MIME: the message goes as From/To/Subject,
 * HtmlBody/TextBody and Headers, Message-ID and the List-Unsubscribe headers among them; Postmark
 * signs DKIM itself). Our record id travels in `Metadata.qatra_message_id`, which Postmark returns
 * in every webhook; the answer's `MessageID` is the provider message id. Postmark's own open and
 * link tracking stay off: Qatra's links and pixel are already in the body.
 *
 * Errors (https://postmarkapp.com/developer/api/overview#error-codes, the body's `ErrorCode`):
 * 406 inactive recipient (it bounced or complained before) → permanent hard bounce, so Qatra
 * suppresses it too; 300 invalid email request and other 422s → permanent; 10 bad token, 400/401
 * sender signature missing or unconfirmed, 405 not allowed to send (out of credits), 412 account pending, 413 account may not send → retryable
 * (the operator's to fix); 429 and 5xx → retryable.
 */
import type { Clock } from '../../../../core/clock.js';
import type { EmailProvider, OutgoingEmail, ProviderResult } from '../../provider.js';
import type { EmailSecrets, EmailSettings } from '../../settings.js';
import { endpoint, espTransport, failureResult, jsonOf, statusResult } from '../esp/http.js';
import { RECORD_ID_FIELD } from '../esp/kinds.js';
import { checkedRecipient, espConfig, extraHeaders, mailboxText } from '../esp/message.js';

export const POSTMARK_BASE_URL = 'https://api.postmarkapp.com';
const OPERATOR_CODES = new Set([10, 400, 401, 405, 412, 413]);

export function createPostmarkProvider(deps: { clock: Clock; allowPrivateOutbound: boolean; timeoutMs?: number }, settings: EmailSettings, secrets: EmailSecrets): EmailProvider {
  const { esp, credentials } = espConfig('postmark', settings, secrets);
  const transport = espTransport(deps);
  const url = endpoint(esp.baseUrl ?? POSTMARK_BASE_URL, '/email');
  return {
    name: 'postmark',
    async send(message: OutgoingEmail): Promise<ProviderResult> {
      const checked = checkedRecipient(message);
      if ('refused' in checked) return checked.refused;
      const body = JSON.stringify({
        From: mailboxText(message.from),
        To: checked.to,
        ...(message.replyTo ? { ReplyTo: message.replyTo } : {}),
        Subject: message.subject,
        HtmlBody: message.html,
        TextBody: message.text,
        Headers: extraHeaders(message).map(([Name, Value]) => ({ Name, Value })),
        MessageStream: esp.messageStream,
        Metadata: { [RECORD_ID_FIELD]: message.recordId },
        TrackOpens: false,
        TrackLinks: 'None',
      });
      const answer = await transport.request(url, 'POST', { accept: 'application/json', 'content-type': 'application/json', 'x-postmark-server-token': credentials.serverToken ?? '' }, body);
      if (answer.kind !== 'answer') return failureResult('postmark', answer);
      const json = jsonOf(answer);
      const code = typeof json?.ErrorCode === 'number' ? json.ErrorCode : null;
      if (answer.status === 200 && code === 0 && typeof json?.MessageID === 'string') return { status: 'sent', providerMessageId: json.MessageID };
      const detail = `${code === null ? '' : `ErrorCode ${code}: `}${String(json?.Message ?? answer.body).slice(0, 300)}`;
      const reason = `postmark HTTP ${answer.status}: ${detail}`;
      if (code === 406) return { status: 'permanent', reason, hardBounce: true };
      if (code !== null && OPERATOR_CODES.has(code)) return { status: 'retryable', reason };
      return statusResult('postmark', answer, detail, deps.clock.now());
    },
    async close() {
      transport.close();
    },
  };
}
