/**
 * @module The ESP HTTP provider kinds (docs/email.md "ESP providers and their webhooks"): each has
 * its folder next to this one, a send (the EmailProvider) and an event webhook.
 */
export const ESP_KINDS = ['ses', 'postmark', 'sendgrid', 'mailgun'] as const;
export type EspKind = (typeof ESP_KINDS)[number];

export function isEspKind(value: string): value is EspKind {
  return (ESP_KINDS as readonly string[]).includes(value);
}

/** The name our record id travels under (SES tag, Postmark metadata, SendGrid custom arg, Mailgun variable). */
export const RECORD_ID_FIELD = 'qatra_message_id';
