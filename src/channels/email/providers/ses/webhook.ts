/**
 * @module SES events through Amazon SNS (an SNS HTTPS subscription to the topic a configuration set's
 * event destination, or an identity's notifications, publish to), at `POST /hooks/email/ses/<workspace>`.
 *
 *  - Every message's signature is checked (./sns.ts) before anything else; the topic must be one of
 *    the settings' `topicArns` (or, when none are listed, in the settings' region); a Timestamp older
 *    than SNS_MAX_AGE_MS (or more than 5 min ahead) is refused, and each MessageId is applied once.
 *  - SubscriptionConfirmation: Qatra visits the (trusted) SubscribeURL, confirming the subscription.
 *  - Notification: the Message is an SES event: event publishing's `eventType` or an identity
 *    notification's `notificationType`. Bounce (Permanent → hard, Transient/Undetermined → soft),
 *    Complaint, Delivery, Open, Click map onto Qatra's feedback; Send, Reject, DeliveryDelay,
 *    Rendering Failure and Subscription are acknowledged and ignored (a delay is not a bounce: SES keeps trying).
 *  - The message is named by our `qatra_message_id` tag (`mail.tags`), else by SES's `mail.messageId`.
 */
import type { X509Certificate } from 'node:crypto';
import { ForbiddenError, UpstreamError } from '../../../../core/errors.js';
import type { Feedback } from '../../../../bounces/apply.js';
import { RECORD_ID_FIELD } from '../esp/kinds.js';
import { enhancedStatus, obj, recordIdOf, str, type EspEvent, type EspWebhook } from '../esp/hook.js';
import { snsMessageOf, topicRegion, verifySnsSignature, type SnsTrust } from './sns.js';

/** SNS retries a failed delivery for minutes (its default HTTP policy); older messages are refused. */
export const SNS_MAX_AGE_MS = 3600_000;

function feedbackOf(type: string, n: Record<string, unknown>): { feedback: Feedback; at: unknown } | null {
  switch (type) {
    case 'Bounce': {
      const b = obj(n.bounce) ?? {};
      const r = obj(Array.isArray(b.bouncedRecipients) ? b.bouncedRecipients[0] : undefined) ?? {};
      return {
        feedback: {
          type: 'bounced',
          bounceType: b.bounceType === 'Permanent' ? 'hard' : 'soft',
          status: enhancedStatus(r.status),
          diagnostic: str(r.diagnosticCode) ?? str(b.bounceSubType),
          recipient: str(r.emailAddress, 320),
        },
        at: b.timestamp,
      };
    }
    case 'Complaint': {
      const c = obj(n.complaint) ?? {};
      const r = obj(Array.isArray(c.complainedRecipients) ? c.complainedRecipients[0] : undefined) ?? {};
      return { feedback: { type: 'complained', feedbackType: str(c.complaintFeedbackType, 50)?.toLowerCase(), recipient: str(r.emailAddress, 320) }, at: c.timestamp };
    }
    case 'Delivery':
      return { feedback: { type: 'delivered' }, at: obj(n.delivery)?.timestamp };
    case 'Open':
      return { feedback: { type: 'opened' }, at: obj(n.open)?.timestamp };
    case 'Click':
      return { feedback: { type: 'clicked', url: str(obj(n.click)?.link, 2000) }, at: obj(n.click)?.timestamp };
    default:
      return null;
  }
}

/** The SES event of an SNS Notification's Message, in Qatra's terms; null when it is one Qatra ignores. */
export function sesEventOf(message: string): EspEvent | null {
  let n: Record<string, unknown> | undefined;
  try {
    n = obj(JSON.parse(message));
  } catch {
    n = undefined;
  }
  if (!n) return null;
  const type = str(n.eventType) ?? str(n.notificationType) ?? '';
  const mapped = feedbackOf(type, n);
  if (!mapped) return null;
  const mail = obj(n.mail) ?? {};
  const tags = obj(mail.tags) ?? {};
  const tag = tags[RECORD_ID_FIELD];
  const at = typeof mapped.at === 'string' ? Date.parse(mapped.at) : NaN;
  return {
    ref: { messageId: recordIdOf(Array.isArray(tag) ? tag[0] : tag), providerMessageId: str(mail.messageId, 200) },
    feedback: mapped.feedback,
    at: Number.isFinite(at) ? at : undefined,
  };
}

export function sesWebhook(deps: { trust: SnsTrust; certificates: Map<string, X509Certificate> }): EspWebhook<'ses'> {
  return {
    kind: 'ses',
    async verify(request, { esp, now }) {
      const m = snsMessageOf(request.json());
      const region = topicRegion(m.TopicArn);
      if (!region) throw new ForbiddenError('invalid TopicArn');
      if (esp.topicArns.length > 0 ? !esp.topicArns.includes(m.TopicArn) : region !== esp.region) throw new ForbiddenError(`topic ${m.TopicArn} is not one this workspace accepts`);
      await verifySnsSignature(m, region, deps.trust, deps.certificates, now);
      const at = Date.parse(m.Timestamp);
      if (!Number.isFinite(at) || at > now + 5 * 60_000 || now - at > SNS_MAX_AGE_MS) throw new ForbiddenError('SNS Timestamp too old or in the future (old or replayed message)');
      switch (m.Type) {
        case 'SubscriptionConfirmation': {
          let url: URL;
          try {
            url = new URL(m.SubscribeURL ?? '');
          } catch {
            throw new ForbiddenError('invalid SubscribeURL');
          }
          if (!deps.trust.allowed(url, region)) throw new ForbiddenError(`untrusted SubscribeURL host ${url.host}`);
          try {
            await deps.trust.get(url);
          } catch (err) {
            throw new UpstreamError('sns_confirm_failed', `could not confirm the SNS subscription: ${(err as Error).message}`.slice(0, 200), true);
          }
          return { events: [], nonce: m.MessageId };
        }
        case 'Notification': {
          const event = sesEventOf(m.Message);
          return { events: event ? [event] : [], nonce: m.MessageId };
        }
        default:
          // UnsubscribeConfirmation (and anything new): acknowledged, nothing to apply.
          return { events: [], nonce: m.MessageId };
      }
    },
  };
}
