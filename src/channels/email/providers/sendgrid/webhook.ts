/**
 * @module SendGrid's Signed Event Webhook (https://www.twilio.com/docs/sendgrid/for-developers/tracking-events/getting-started-event-webhook-security-features)
 * at `POST /hooks/email/sendgrid/<workspace>`: `X-Twilio-Email-Event-Webhook-Signature` is an ECDSA
 * P-256 / SHA-256 signature (base64 DER) over the `X-Twilio-Email-Event-Webhook-Timestamp` header
 * followed by the raw body, checked with the verification key from the settings
 * (`webhookPublicKey`). A timestamp more than 5 minutes from our clock is refused, and a signed
 * timestamp + body is accepted once (the replay guard, ../esp/replay.ts).
 *
 * The body is an array of events: delivered; bounce (`type` bounce → hard, blocked → soft);
 * dropped (reason Bounced Address / Invalid → hard bounce, Spam Reporting Address → complaint, the
 * rest ignored); spamreport → complaint; open (`sg_machine_open` → a machine open) and click map onto
 * Qatra's feedback; processed, deferred (SendGrid keeps trying), unsubscribe and group events are ignored.
 * An event is named by our custom arg `qatra_message_id`, else by `sg_message_id` up to its first
 * dot (the `X-Message-Id` the send answered).
 */
import { verify } from 'node:crypto';
import { ForbiddenError, ValidationError } from '../../../../core/errors.js';
import type { Feedback } from '../../../../bounces/apply.js';
import { RECORD_ID_FIELD } from '../esp/kinds.js';
import { checkTimestamp, enhancedStatus, header, obj, recordIdOf, str, type EspEvent, type EspWebhook } from '../esp/hook.js';
import { sendgridPublicKey } from '../esp/settings.js';

export const SENDGRID_SIGNATURE_HEADER = 'x-twilio-email-event-webhook-signature';
export const SENDGRID_TIMESTAMP_HEADER = 'x-twilio-email-event-webhook-timestamp';

function feedbackOf(e: Record<string, unknown>): Feedback | null {
  const recipient = str(e.email, 320);
  switch (e.event) {
    case 'delivered':
      return { type: 'delivered' };
    case 'bounce':
      return { type: 'bounced', bounceType: e.type === 'blocked' ? 'soft' : 'hard', status: enhancedStatus(e.status), diagnostic: str(e.reason), recipient };
    case 'dropped': {
      const reason = str(e.reason, 300) ?? '';
      if (/spam report/i.test(reason)) return { type: 'complained', feedbackType: 'abuse', recipient };
      if (/bounced|invalid/i.test(reason)) return { type: 'bounced', bounceType: 'hard', diagnostic: `dropped: ${reason}`, recipient };
      return null;
    }
    case 'spamreport':
      return { type: 'complained', feedbackType: 'abuse', recipient };
    case 'open':
      return e.sg_machine_open === true ? { type: 'opened', machine: true } : { type: 'opened' };
    case 'click':
      return { type: 'clicked', url: str(e.url, 2000) };
    default:
      return null;
  }
}

export const sendgridWebhook: EspWebhook<'sendgrid'> = {
  kind: 'sendgrid',
  async verify(request, { esp, now }) {
    const key = esp.webhookPublicKey ? sendgridPublicKey(esp.webhookPublicKey) : null;
    if (!key) throw new ForbiddenError('set webhookPublicKey in the sendgrid settings to accept its signed event webhook');
    const signature = header(request.headers, SENDGRID_SIGNATURE_HEADER);
    const timestamp = header(request.headers, SENDGRID_TIMESTAMP_HEADER);
    if (!signature || !timestamp) throw new ForbiddenError('missing X-Twilio-Email-Event-Webhook-Signature or -Timestamp');
    if (!/^\d{1,12}$/.test(timestamp)) throw new ForbiddenError('invalid X-Twilio-Email-Event-Webhook-Timestamp');
    const valid = verify('sha256', Buffer.from(timestamp + request.rawBody, 'utf8'), key, Buffer.from(signature, 'base64'));
    if (!valid) throw new ForbiddenError('invalid X-Twilio-Email-Event-Webhook-Signature');
    checkTimestamp(Number(timestamp) * 1000, now);
    const body = request.json();
    if (!Array.isArray(body)) throw ValidationError.at('body', 'must be an array of SendGrid events');
    const events: EspEvent[] = [];
    for (const item of body) {
      const e = obj(item);
      const feedback = e && feedbackOf(e);
      if (!e || !feedback) continue;
      const sgId = str(e.sg_message_id, 300);
      events.push({
        ref: { messageId: recordIdOf(e[RECORD_ID_FIELD]), providerMessageId: sgId?.split('.')[0] },
        feedback,
        at: typeof e.timestamp === 'number' && Number.isFinite(e.timestamp) ? e.timestamp * 1000 : undefined,
      });
    }
    // The nonce is what was signed, not the signature: an ECDSA signature can be re-encoded (s → n − s)
    // and still verify, so a replay with a rewritten signature must still be caught.
    return { events, nonce: `${timestamp}.${request.rawBody}` };
  },
};
