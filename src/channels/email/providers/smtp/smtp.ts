/**
 * @module The `smtp` provider: a pooled nodemailer transport (maxConnections, messages per second),
 * STARTTLS or implicit TLS, optional auth, and DKIM signing (RFC 6376) with the workspace's key.
 *
 * Outcomes: accepted → sent; 4xx or a connection/timeout/auth error → retryable (the relay may
 * recover, the config may be fixed); 5xx → permanent, and a hard bounce when the relay rejected the
 * recipient itself (5xx to RCPT TO, or an RFC 3463 5.1.x / 5.2.1 status: STANDARDS.md 12).
 */
import nodemailer from 'nodemailer';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import type { EmailProvider, OutgoingEmail, ProviderResult } from '../../provider.js';
import type { EmailSecrets, EmailSettings } from '../../settings.js';
import { InvalidRecipientError, toMailOptions } from '../mime.js';
import { createDkimSigner, type DkimSigner } from './dkim.js';

/**
 * Headers the DKIM signature covers. nodemailer's default list lacks List-Unsubscribe-Post and
 * Feedback-ID; STANDARDS.md 10 requires both unsubscribe headers in h= (RFC 8058 section 4).
 */
export const DKIM_SIGNED_HEADERS = [
  'From', 'Sender', 'Reply-To', 'Subject', 'Date', 'Message-ID', 'To', 'Cc', 'MIME-Version', 'Content-Type',
  'Content-Transfer-Encoding', 'List-Id', 'List-Unsubscribe', 'List-Unsubscribe-Post', 'Feedback-ID',
].join(':');

export interface SmtpTimeouts {
  connectionTimeoutMs: number;
  socketTimeoutMs: number;
}

export function createSmtpProvider(settings: EmailSettings, secrets: EmailSecrets, timeouts: SmtpTimeouts = { connectionTimeoutMs: 10_000, socketTimeoutMs: 60_000 }): EmailProvider {
  const smtp = settings.smtp;
  if (!smtp) throw new Error('smtp provider needs smtp settings');
  const transport = nodemailer.createTransport({
    pool: true,
    host: smtp.host,
    port: smtp.port,
    secure: smtp.secure,
    requireTLS: smtp.requireTls,
    maxConnections: smtp.maxConnections,
    ...(smtp.rateLimitPerSecond ? { rateDelta: 1000, rateLimit: smtp.rateLimitPerSecond } : {}),
    ...(smtp.user ? { auth: { user: smtp.user, pass: secrets.password ?? '' } } : {}),
    tls: { rejectUnauthorized: !smtp.allowInvalidCertificates },
    connectionTimeout: timeouts.connectionTimeoutMs,
    greetingTimeout: timeouts.connectionTimeoutMs,
    socketTimeout: timeouts.socketTimeoutMs,
  });
  const dkim = settings.dkim && secrets.dkimPrivateKey
    ? createDkimSigner({ domain: settings.dkim.domain, selector: settings.dkim.selector, privateKey: secrets.dkimPrivateKey, fieldNames: DKIM_SIGNED_HEADERS })
    : null;
  return {
    name: 'smtp',
    async send(message: OutgoingEmail): Promise<ProviderResult> {
      try {
        const info = await transport.sendMail(dkim ? await signed(toMailOptions(message), dkim) : toMailOptions(message));
        return { status: 'sent', providerMessageId: info.messageId, detail: { response: String(info.response ?? '') } };
      } catch (err) {
        return classifySmtpError(err as SmtpError);
      }
    },
    async close() {
      transport.close();
    },
  };
}

/** The message composed here and signed off the event loop (./dkim.ts), handed to the pool as raw MIME. */
async function signed(options: ReturnType<typeof toMailOptions>, dkim: DkimSigner) {
  const mime = new MailComposer(options).compile();
  const raw = await dkim(await mime.build());
  return { raw, envelope: mime.getEnvelope(), messageId: options.messageId };
}

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

export function classifySmtpError(err: SmtpError): ProviderResult {
  if (err instanceof InvalidRecipientError) return { status: 'permanent', reason: err.message };
  const code = err.responseCode;
  const reason = (err.response || err.message || String(err)).slice(0, 500);
  // 535 "authentication failed" is about our configuration, not the message: fixing it lets the
  // same message go, so it is retryable like a connection error.
  if (err.code === 'EAUTH') return { status: 'retryable', reason: `EAUTH: ${reason}` };
  if (code !== undefined && code >= 500) {
    const enhanced = /\b5\.(\d{1,3})\.(\d{1,3})\b/.exec(reason);
    const addressRejected = err.code === 'EENVELOPE' || (enhanced !== null && (enhanced[1] === '1' || (enhanced[1] === '2' && enhanced[2] === '1')));
    return addressRejected ? { status: 'permanent', reason, hardBounce: true } : { status: 'permanent', reason };
  }
  if (code !== undefined && code >= 400) return { status: 'retryable', reason };
  // No SMTP reply: an address nodemailer refused to send to at all is permanent; everything else
  // (refused connection, timeout, TLS or auth failure) may recover.
  if (err.code === 'EENVELOPE') return { status: 'permanent', reason };
  return { status: 'retryable', reason: `${err.code ?? 'error'}: ${reason}` };
}
