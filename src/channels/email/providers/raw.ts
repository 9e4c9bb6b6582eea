/**
 * @module The raw message a provider hands on: composed by nodemailer's MailComposer from the mail
 * options (./mime.ts), CRLF line endings throughout (what SMTP's DATA puts on the wire), and
 * DKIM-signed (./smtp/dkim.ts) when the workspace has a DKIM key. Shared by the smtp provider and the
 * outbox, so the outbox stores byte for byte what SMTP would send, signature included.
 */
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { OutgoingEmail } from '../provider.js';
import type { EmailSecrets, EmailSettings } from '../settings.js';
import { toMailOptions } from './mime.js';
import { createDkimSigner, type DkimSigner } from './smtp/dkim.js';

/**
 * Headers the DKIM signature covers. nodemailer's default list lacks List-Unsubscribe-Post and
 * Feedback-ID; docs/standards.md §10 requires both unsubscribe headers in h= (RFC 8058 section 4).
 */
export const DKIM_SIGNED_HEADERS = [
  'From',
  'Sender',
  'Reply-To',
  'Subject',
  'Date',
  'Message-ID',
  'To',
  'Cc',
  'MIME-Version',
  'Content-Type',
  'Content-Transfer-Encoding',
  'List-Id',
  'List-Unsubscribe',
  'List-Unsubscribe-Post',
  'Feedback-ID',
].join(':');

/** The workspace's DKIM signer, or null when it has no domain or no key (mail then goes unsigned). */
export function dkimSignerOf(settings: EmailSettings, secrets: EmailSecrets): DkimSigner | null {
  return settings.dkim && secrets.dkimPrivateKey
    ? createDkimSigner({ domain: settings.dkim.domain, selector: settings.dkim.selector, privateKey: secrets.dkimPrivateKey, fieldNames: DKIM_SIGNED_HEADERS })
    : null;
}

export interface RawMessage {
  raw: Buffer;
  envelope: { from: string | false; to: string[] };
  messageId: string;
}

/** Composes `message` as SMTP would send it: CRLF line endings, and signed when `dkim` is given. */
export async function composeRaw(message: OutgoingEmail, dkim: DkimSigner | null): Promise<RawMessage> {
  const options = toMailOptions(message);
  const mime = new MailComposer(options as never).compile();
  const built = await mime.build();
  // The signer returns CRLF text already; unsigned, the bare LFs of 7bit/8bit parts become CRLF here.
  const raw = dkim ? await dkim(built) : Buffer.from(built.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1');
  return { raw, envelope: mime.getEnvelope() as RawMessage['envelope'], messageId: options.messageId };
}
