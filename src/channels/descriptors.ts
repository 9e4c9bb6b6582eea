/**
 * @module The channels Qatra has, described (./descriptor.ts). The one list of channels: templates,
 * statistics, consent and the journey validator ask it; implementations are registered against these
 * names in ./registry.ts.
 */
import type { ChannelDescriptor } from './descriptor.js';

export const emailDescriptor: ChannelDescriptor = {
  name: 'email',
  label: 'Email',
  address: { kind: 'email', of: (c) => c.email },
  templateChannel: 'email',
  consentChannel: 'email',
  consentRequired: false,
  suppressible: true,
  transactional: true,
  delivered: 'sent',
  engagement: ['open', 'click'],
  bounces: true,
  // Unsubscribes made from a message (src/unsubscribe/), not by an admin or an import.
  optOutSources: ['one-click', 'unsubscribe-page', 'preference-center', 'mailto'],
  quietByDefault: false,
};

export const smsDescriptor: ChannelDescriptor = {
  name: 'sms',
  label: 'SMS',
  address: { kind: 'phone', of: (c) => c.phone },
  templateChannel: 'sms',
  consentChannel: 'sms',
  consentRequired: true,
  suppressible: true,
  transactional: true,
  delivered: 'receipt',
  engagement: ['click'],
  bounces: false,
  optOutSources: null,
  // docs/standards.md: marketing SMS keep to the recipient's daytime (workspace default 21:00–08:00).
  quietByDefault: true,
};

export const webhookDescriptor: ChannelDescriptor = {
  name: 'webhook',
  label: 'Webhook',
  address: { kind: 'none', of: () => null },
  templateChannel: null,
  consentChannel: null,
  consentRequired: false,
  suppressible: false,
  transactional: false,
  delivered: 'sent',
  engagement: [],
  bounces: false,
  optOutSources: null,
  quietByDefault: false,
};

/**
 * Direct mail (docs/mail.md): letters and postcards printed as PDFs. The address is the contact's
 * postal address as JSON text; the sender checks it with src/contacts/postal-address-validate.ts
 * `checkSendable` and skips the piece with its reason.
 */
export const mailDescriptor: ChannelDescriptor = {
  name: 'mail',
  label: 'Direct mail',
  address: { kind: 'postal', of: (c) => (c.address ? JSON.stringify(c.address) : null) },
  templateChannel: 'mail',
  consentChannel: 'mail',
  consentRequired: false,
  suppressible: true,
  transactional: false,
  delivered: 'receipt',
  engagement: [],
  bounces: false,
  optOutSources: null,
  quietByDefault: false,
};

/**
 * WhatsApp Business Cloud API messages (docs/whatsapp.md): to the contact's phone (E.164), with
 * explicit opt-in; delivered and read known only from the status webhooks; an approved template
 * message at any time, free-form text only inside the 24-hour customer-service window.
 */
export const whatsappDescriptor: ChannelDescriptor = {
  name: 'whatsapp',
  label: 'WhatsApp',
  address: { kind: 'phone', of: (c) => c.phone },
  templateChannel: 'whatsapp',
  consentChannel: 'whatsapp',
  consentRequired: true,
  // The number is the contact's SMS number too: "not on WhatsApp" (131026) must not suppress SMS.
  suppressible: false,
  transactional: true,
  delivered: 'receipt',
  engagement: ['click', 'read'],
  bounces: false,
  // A STOP to the business number is always an answer to its messages (as an SMS STOP).
  optOutSources: null,
  quietByDefault: false,
};

/**
 * Telegram one-to-one messages (docs/telegram.md): to the chat a contact linked through a signed
 * deep link (`channel_handles`, looked up by the sender: the descriptor's address is the contact id).
 * Linking records `telegram` consent, which marketing requires; `/stop` or a blocked bot withdraws it.
 */
export const telegramDescriptor: ChannelDescriptor = {
  name: 'telegram',
  label: 'Telegram',
  address: { kind: 'handle', of: (c) => c.id ?? null },
  templateChannel: 'telegram',
  consentChannel: 'telegram',
  consentRequired: true,
  suppressible: false,
  transactional: true,
  delivered: 'sent',
  engagement: ['click'],
  bounces: false,
  // Every withdrawal on the channel is the contact's own (/stop, blocking the bot).
  optOutSources: null,
  quietByDefault: false,
};

export const descriptors: readonly ChannelDescriptor[] = [emailDescriptor, smsDescriptor, webhookDescriptor, mailDescriptor, whatsappDescriptor, telegramDescriptor];

export function descriptorOf(name: string): ChannelDescriptor | undefined {
  return descriptors.find((d) => d.name === name);
}

/** The template channels (`email`, `sms`, `mail`, `whatsapp`, `telegram`): what a template may be written for. */
export const templateChannels = descriptors.flatMap((d) => (d.templateChannel ? [d.templateChannel] : [])) as [string, ...string[]];

/** The channels `POST /api/messages/send` takes. */
export const transactionalChannels = descriptors.flatMap((d) => (d.transactional ? [d.name] : [])) as [string, ...string[]];
