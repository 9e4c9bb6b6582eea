/**
 * @module Mailgun's webhooks (https://documentation.mailgun.com/docs/mailgun/user-manual/tracking-messages/#securing-webhooks)
 * at `POST /hooks/email/mailgun/<workspace>`: the JSON body's `signature` holds `timestamp`, `token`
 * and `signature`, the hex HMAC-SHA256 of timestamp + token under the webhook signing key (sealed in
 * the settings: `webhookSigningKey`). A timestamp more than 5 minutes from our clock is refused, and
 * a token is accepted once (the replay guard, ../esp/replay.ts), as Mailgun advises.
 *
 * `event-data.event`: delivered; failed (severity permanent → hard bounce, temporary → soft);
 * complained; opened; clicked map onto Qatra's feedback; accepted, unsubscribed and the rest are
 * ignored. An event is named by the variable `qatra_message_id` (`user-variables`), else by the
 * message's Message-ID (`message.headers.message-id`: Mailgun keeps ours).
 */
import { createHmac } from 'node:crypto';
import { ForbiddenError, ValidationError } from '../../../../core/errors.js';
import type { Feedback } from '../../../../bounces/apply.js';
import { RECORD_ID_FIELD } from '../esp/kinds.js';
import { checkTimestamp, enhancedStatus, obj, recordIdOf, safeEqual, str, type EspWebhook } from '../esp/hook.js';

/** Mailgun's signature of `timestamp` + `token` (hex). */
export function mailgunSignature(signingKey: string, timestamp: string, token: string): string {
  return createHmac('sha256', signingKey)
    .update(timestamp + token)
    .digest('hex');
}

function feedbackOf(e: Record<string, unknown>): Feedback | null {
  const recipient = str(e.recipient, 320);
  switch (e.event) {
    case 'delivered':
      return { type: 'delivered' };
    case 'failed': {
      const status = obj(e['delivery-status']) ?? {};
      const diagnostic = [str(status.code === undefined ? undefined : String(status.code)), str(status.message, 300) ?? str(status.description, 300), str(e.reason, 100)].filter(Boolean).join(' ');
      return { type: 'bounced', bounceType: e.severity === 'permanent' ? 'hard' : 'soft', status: enhancedStatus(status['enhanced-code']), diagnostic, recipient };
    }
    case 'complained':
      return { type: 'complained', feedbackType: 'abuse', recipient };
    case 'opened':
      return { type: 'opened' };
    case 'clicked':
      return { type: 'clicked', url: str(e.url, 2000) };
    default:
      return null;
  }
}

export const mailgunWebhook: EspWebhook<'mailgun'> = {
  kind: 'mailgun',
  async verify(request, { secrets, now }) {
    const key = secrets.webhookSigningKey;
    if (!key) throw new ForbiddenError('set webhookSigningKey in the mailgun settings to accept its webhooks');
    const body = obj(request.json());
    const sig = obj(body?.signature);
    const timestamp = typeof sig?.timestamp === 'string' ? sig.timestamp : typeof sig?.timestamp === 'number' ? String(sig.timestamp) : '';
    const token = typeof sig?.token === 'string' ? sig.token : '';
    const signature = typeof sig?.signature === 'string' ? sig.signature : '';
    if (!/^\d{1,12}$/.test(timestamp) || !token || token.length > 200 || !signature) throw new ForbiddenError('missing Mailgun signature (timestamp, token, signature)');
    if (!safeEqual(mailgunSignature(key, timestamp, token), signature.toLowerCase())) throw new ForbiddenError('invalid Mailgun signature');
    checkTimestamp(Number(timestamp) * 1000, now);
    const e = obj(body?.['event-data']);
    if (!e) throw ValidationError.at('body.event-data', 'required');
    const feedback = feedbackOf(e);
    if (!feedback) return { events: [], nonce: token };
    const headers = obj(obj(e.message)?.headers);
    return {
      events: [
        {
          ref: { messageId: recordIdOf(obj(e['user-variables'])?.[RECORD_ID_FIELD]), providerMessageId: str(headers?.['message-id'], 998) },
          feedback,
          at: typeof e.timestamp === 'number' && Number.isFinite(e.timestamp) ? Math.round(e.timestamp * 1000) : undefined,
        },
      ],
      nonce: token,
    };
  },
};
