/**
 * @module What the ESP providers share when building a request from an OutgoingEmail: the kind's
 * settings and credentials, the raw MIME message (../raw.ts: the same bytes SMTP would send,
 * DKIM-signed with the workspace key when it has one) for the ESPs that take raw mail (SES,
 * Mailgun), and the From/To header text plus the extra headers (Message-ID first) for those that take
 * JSON fields (Postmark, SendGrid).
 */
import type { OutgoingEmail, ProviderResult } from '../../provider.js';
import type { EmailSecrets, EmailSettings } from '../../settings.js';
import { InvalidRecipientError, toMailOptions } from '../mime.js';
import { composeRaw, dkimSignerOf } from '../raw.js';
import type { EspKind } from './kinds.js';
import type { EspSecrets, EspSettings } from './settings.js';

export type EspSettingsOf<K extends EspKind> = Extract<EspSettings, { kind: K }>;

/** The kind's settings and credentials; throws when the settings are for another kind (a programming error). */
export function espConfig<K extends EspKind>(kind: K, settings: EmailSettings, secrets: EmailSecrets): { esp: EspSettingsOf<K>; credentials: EspSecrets } {
  const esp = settings.esp;
  if (!esp || esp.kind !== kind) throw new Error(`the ${kind} provider needs esp settings of kind ${kind}`);
  return { esp: esp as EspSettingsOf<K>, credentials: secrets.esp ?? {} };
}

/** `"Name" <address>` (the name quoted, its quotes and backslashes escaped), or the bare address. */
export function mailboxText(m: { address: string; name?: string | undefined }): string {
  return m.name ? `"${m.name.replace(/[\\"]/g, '\\$&').replace(/[\r\n]/g, ' ')}" <${m.address}>` : m.address;
}

/** The recipient, checked as every provider checks it (../mime.ts), or the permanent result refusing it. */
export function checkedRecipient(message: OutgoingEmail): { to: string } | { refused: ProviderResult } {
  try {
    return { to: toMailOptions(message).to.address };
  } catch (err) {
    if (err instanceof InvalidRecipientError) return { refused: { status: 'permanent', reason: err.message } };
    throw err;
  }
}

/** The raw message as SMTP would send it, signed when the workspace has a DKIM key. */
export async function rawMessage(message: OutgoingEmail, settings: EmailSettings, secrets: EmailSecrets): Promise<Buffer> {
  return (await composeRaw(message, dkimSignerOf(settings, secrets))).raw;
}

/** The headers an ESP that takes JSON must be given: Message-ID, then the standard ones. */
export function extraHeaders(message: OutgoingEmail): Array<[string, string]> {
  return [['Message-ID', message.messageId], ...Object.entries(message.headers)];
}
