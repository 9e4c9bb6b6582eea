/**
 * @module How an OutgoingEmail becomes nodemailer mail options. Shared by the smtp provider (which
 * sends them) and the outbox provider (which composes the same MIME and stores it), so the outbox
 * shows byte for byte what SMTP would have sent. This is the one place outside a provider folder that
 * knows nodemailer's option shape.
 */
import { parseEmailAddress } from '../../../core/email-address.js';
import type { OutgoingEmail } from '../provider.js';

/** The message's recipient is not exactly one mailbox: providers answer `permanent` and send nothing. */
export class InvalidRecipientError extends Error {}

export interface MailOptions {
  from: { name: string; address: string };
  to: { name: string; address: string };
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  date: Date;
  headers: Record<string, { prepared: true; value: string }>;
  envelope: { from: string; to: string };
}

export function toMailOptions(message: OutgoingEmail): MailOptions {
  // Checked here too, where every provider passes: the To header and RCPT TO get this one address.
  const to = parseEmailAddress(message.to.address);
  if (!to.ok) throw new InvalidRecipientError(`invalid recipient address: ${to.reason}`);
  const headers: MailOptions['headers'] = {};
  for (const [name, value] of Object.entries(message.headers)) {
    // `prepared`: nodemailer writes the value as given, so it is neither folded nor encoded. A folded
    // List-Unsubscribe broke DKIM downstream (nodemailer issue #1654; docs/standards.md §9). Values must be
    // plain ASCII and shorter than SMTP's 998-octet line limit, which the channel guarantees.
    if (/[^\x20-\x7e]/.test(value) || name.length + value.length > 990) throw new Error(`header ${name} must be printable ASCII on one line`);
    headers[name] = { prepared: true, value };
  }
  const options: MailOptions = {
    from: { name: message.from.name ?? '', address: message.from.address },
    to: { name: message.to.name ?? '', address: to.value.address },
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId: message.messageId,
    date: message.date,
    headers,
    // Explicit, so the envelope is exactly this one recipient whatever the headers say.
    envelope: { from: message.returnPath ?? message.from.address, to: to.value.address },
  };
  if (message.replyTo) options.replyTo = message.replyTo;
  return options;
}
