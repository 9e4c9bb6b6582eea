/**
 * @module How an OutgoingEmail becomes nodemailer mail options. Shared by the smtp provider (which
 * sends them) and the outbox provider (which composes the same MIME and stores it), so the outbox
 * shows byte for byte what SMTP would have sent. This is the one place outside a provider folder that
 * knows nodemailer's option shape.
 */
import type { OutgoingEmail } from '../provider.js';

export interface MailOptions {
  from: { name: string; address: string };
  to: string;
  replyTo?: string;
  subject: string;
  html: string;
  text: string;
  messageId: string;
  date: Date;
  headers: Record<string, { prepared: true; value: string }>;
  envelope?: { from: string; to: string };
}

export function toMailOptions(message: OutgoingEmail): MailOptions {
  const headers: MailOptions['headers'] = {};
  for (const [name, value] of Object.entries(message.headers)) {
    // `prepared`: nodemailer writes the value as given, so it is neither folded nor encoded. A folded
    // List-Unsubscribe broke DKIM downstream (nodemailer issue #1654; STANDARDS.md 9). Values must be
    // plain ASCII and shorter than SMTP's 998-octet line limit, which the channel guarantees.
    if (/[^\x20-\x7e]/.test(value) || name.length + value.length > 990) throw new Error(`header ${name} must be printable ASCII on one line`);
    headers[name] = { prepared: true, value };
  }
  const options: MailOptions = {
    from: { name: message.from.name ?? '', address: message.from.address },
    to: message.to,
    subject: message.subject,
    html: message.html,
    text: message.text,
    messageId: message.messageId,
    date: message.date,
    headers,
  };
  if (message.replyTo) options.replyTo = message.replyTo;
  if (message.returnPath) options.envelope = { from: message.returnPath, to: message.to };
  return options;
}
