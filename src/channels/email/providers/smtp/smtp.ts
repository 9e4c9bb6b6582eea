/**
 * @module The `smtp` provider: a pooled nodemailer transport (maxConnections, messages per second),
 * STARTTLS or implicit TLS, optional auth, and DKIM signing (RFC 6376) with the workspace's key.
 *
 * Outcomes: accepted → sent; 4xx or a connection/timeout/auth error → retryable (the relay may
 * recover, the config may be fixed); 5xx → permanent, and a hard bounce when the relay rejected the
 * recipient itself (5xx to RCPT TO, or an RFC 3463 5.1.x / 5.2.1 status: docs/standards.md §12).
 */
import nodemailer from 'nodemailer';
import type { EmailProvider, OutgoingEmail, ProviderResult } from '../../provider.js';
import type { EmailSecrets, EmailSettings } from '../../settings.js';
import { InvalidRecipientError, toMailOptions } from '../mime.js';
import { composeRaw, dkimSignerOf } from '../raw.js';
import { guardedSocket } from './connect.js';

export { DKIM_SIGNED_HEADERS } from '../raw.js';

export interface SmtpTimeouts {
  connectionTimeoutMs: number;
  socketTimeoutMs: number;
}

/** The settings' `timeoutSeconds` for every wait, else 10 s to connect and 60 s for a reply. */
export function smtpTimeoutsOf(settings: EmailSettings): SmtpTimeouts {
  const seconds = settings.smtp?.timeoutSeconds;
  return seconds ? { connectionTimeoutMs: seconds * 1000, socketTimeoutMs: seconds * 1000 } : { connectionTimeoutMs: 10_000, socketTimeoutMs: 60_000 };
}

/**
 * `allowPrivate`: connect to any address the host resolves to (the operator allowed it, or it is the
 * operator's own QATRA_SMTP_URL); otherwise only to public ones (./connect.ts).
 */
export function createSmtpProvider(
  settings: EmailSettings,
  secrets: EmailSecrets,
  timeouts: SmtpTimeouts = { connectionTimeoutMs: 10_000, socketTimeoutMs: 60_000 },
  allowPrivate = false,
): EmailProvider {
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
    ...(allowPrivate ? {} : { getSocket: guardedSocket(timeouts.connectionTimeoutMs) }),
  });
  const dkim = dkimSignerOf(settings, secrets);
  return {
    name: 'smtp',
    async send(message: OutgoingEmail): Promise<ProviderResult> {
      try {
        const info = await transport.sendMail(dkim ? await composeRaw(message, dkim) : toMailOptions(message));
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

interface SmtpError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** An RFC 3463 enhanced status code about the answering server rather than the recipient. */
function serverTrouble(reply: string): boolean {
  const enhanced = /\b4\.(\d{1,3})\.(\d{1,3})\b/.exec(reply);
  return enhanced !== null && (enhanced[1] === '3' || (enhanced[1] === '4' && enhanced[2] === '5'));
}

export function classifySmtpError(err: SmtpError): ProviderResult {
  if (err instanceof InvalidRecipientError) return { status: 'permanent', reason: err.message };
  const code = err.responseCode;
  const reason = (err.response || err.message || String(err)).slice(0, 500);
  // 535 "authentication failed" is about our configuration, not the message: fixing it lets the
  // same message go, so it is retryable like a connection error.
  // A host the address guard refused will not become public by retrying: permanent.
  if (err.code === 'EPRIVATEADDR') return { status: 'permanent', reason: err.message };
  if (err.code === 'EAUTH') return { status: 'retryable', reason: `EAUTH: ${reason}` };
  if (code !== undefined && code >= 500) {
    const enhanced = /\b5\.(\d{1,3})\.(\d{1,3})\b/.exec(reason);
    const addressRejected = err.code === 'EENVELOPE' || (enhanced !== null && (enhanced[1] === '1' || (enhanced[1] === '2' && enhanced[2] === '1')));
    return addressRejected ? { status: 'permanent', reason, hardBounce: true } : { status: 'permanent', reason };
  }
  // 4xx to RCPT TO or to the message (greylisting, 421/450/451/452): about the recipient's domain,
  // unless its enhanced status code (RFC 3463) says the server itself is in trouble: X.3.x "mail
  // system status" (4.3.1 system full, 4.3.2 not accepting messages) or X.4.5 "mail system
  // congestion". A relay answering that is a failing provider (its circuit, then failover), not a
  // reason to hold the recipient's domain.
  if (code !== undefined && code >= 400 && (err.code === 'EENVELOPE' || err.code === 'EMESSAGE') && !serverTrouble(reason)) return { status: 'retryable', reason, recipientDeferral: true };
  if (code !== undefined && code >= 400) return { status: 'retryable', reason };
  // No SMTP reply: an address nodemailer refused to send to at all is permanent; everything else
  // (refused connection, timeout, TLS or auth failure) may recover.
  if (err.code === 'EENVELOPE') return { status: 'permanent', reason };
  return { status: 'retryable', reason: `${err.code ?? 'error'}: ${reason}` };
}
