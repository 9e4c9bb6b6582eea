/**
 * @module Postmark's webhooks (https://postmarkapp.com/developer/webhooks/webhooks-overview) at
 * `POST /hooks/email/postmark/<workspace>`. Postmark does not sign its webhooks; it sends the basic-auth
 * credentials put in the webhook URL (`https://user:password@…`), so those are checked (the
 * settings' `webhookUser` and the sealed `webhookPassword`; both must be set) and, when the settings
 * list `webhookIps`, the client address must be one of them (Postmark publishes its webhook IPs).
 * Postmark signs no timestamp, so a replay is caught only by the events being idempotent.
 *
 * RecordType Delivery, Bounce (HardBounce, BadEmailAddress, ManuallyDeactivated → hard; SoftBounce,
 * Transient, DnsError, InboxFull, Blocked, DMARCPolicy, Unknown → soft; SpamComplaint → complaint;
 * the rest, such as AutoResponder, ignored), SpamComplaint, Open, Click map onto Qatra's feedback;
 * SubscriptionChange is ignored (Qatra's own unsubscribe handles that). The message is named by
 * `Metadata.qatra_message_id`, else Postmark's `MessageID`.
 */
import net from 'node:net';
import { ForbiddenError, ValidationError } from '../../../../core/errors.js';
import type { Feedback } from '../../../../bounces/apply.js';
import { RECORD_ID_FIELD } from '../esp/kinds.js';
import { header, obj, recordIdOf, safeEqual, str, type EspWebhook } from '../esp/hook.js';

const HARD = new Set(['HardBounce', 'BadEmailAddress', 'ManuallyDeactivated']);
const SOFT = new Set(['SoftBounce', 'Transient', 'DnsError', 'InboxFull', 'Blocked', 'DMARCPolicy', 'Unknown']);

const plainIp = (ip: string) => (ip.startsWith('::ffff:') && net.isIPv4(ip.slice(7)) ? ip.slice(7) : ip);

function feedbackOf(e: Record<string, unknown>): { feedback: Feedback; at: unknown } | null {
  const recipient = str(e.Recipient, 320) ?? str(e.Email, 320);
  switch (e.RecordType) {
    case 'Delivery':
      return { feedback: { type: 'delivered' }, at: e.DeliveredAt };
    case 'Bounce': {
      const type = str(e.Type, 100) ?? '';
      if (type === 'SpamComplaint') return { feedback: { type: 'complained', feedbackType: 'abuse', recipient }, at: e.BouncedAt };
      const bounceType = HARD.has(type) ? 'hard' : SOFT.has(type) ? 'soft' : null;
      if (!bounceType) return null;
      return { feedback: { type: 'bounced', bounceType, diagnostic: [type, str(e.Description, 300), str(e.Details, 300)].filter(Boolean).join(': '), recipient }, at: e.BouncedAt };
    }
    case 'SpamComplaint':
      return { feedback: { type: 'complained', feedbackType: 'abuse', recipient }, at: e.BouncedAt };
    case 'Open':
      return { feedback: { type: 'opened' }, at: e.ReceivedAt };
    case 'Click':
      return { feedback: { type: 'clicked', url: str(e.OriginalLink, 2000) }, at: e.ReceivedAt };
    default:
      return null;
  }
}

export const postmarkWebhook: EspWebhook<'postmark'> = {
  kind: 'postmark',
  async verify(request, { esp, secrets }) {
    if (!esp.webhookUser || !secrets.webhookPassword) throw new ForbiddenError('set webhookUser and webhookPassword in the postmark settings to accept its webhooks');
    const auth = header(request.headers, 'authorization') ?? '';
    const decoded = auth.startsWith('Basic ') ? Buffer.from(auth.slice(6), 'base64').toString('utf8') : '';
    const colon = decoded.indexOf(':');
    const ok = colon > 0 && safeEqual(decoded.slice(0, colon), esp.webhookUser) && safeEqual(decoded.slice(colon + 1), secrets.webhookPassword);
    if (!ok) throw new ForbiddenError('missing or wrong basic-auth credentials for the postmark webhook');
    if (esp.webhookIps.length > 0 && !esp.webhookIps.map(plainIp).includes(plainIp(request.ip))) throw new ForbiddenError(`webhook from ${request.ip}, not one of the allowed addresses`);
    const e = obj(request.json());
    if (!e) throw ValidationError.at('body', 'must be a Postmark webhook object');
    const mapped = feedbackOf(e);
    if (!mapped) return { events: [] };
    const at = typeof mapped.at === 'string' ? Date.parse(mapped.at) : NaN;
    return {
      events: [
        {
          ref: { messageId: recordIdOf(obj(e.Metadata)?.[RECORD_ID_FIELD]), providerMessageId: str(e.MessageID, 200) },
          feedback: mapped.feedback,
          at: Number.isFinite(at) ? at : undefined,
        },
      ],
    };
  },
};
