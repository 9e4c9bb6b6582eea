/**
 * @module The email provider interface, in the shape of a Kysely dialect: one interface, one folder
 * per provider (./providers/smtp, ./providers/outbox), registered in a typed map
 * (./providers/registry.ts). A provider only delivers a fully built message; everything else
 * (suppression, rendering, tracking, headers, records) is the email channel's job.
 *
 * Error model: `send` never throws for delivery problems. It returns the channel's SendResult union;
 * a `permanent` result may say `hardBounce: true` when the receiving server rejected the address
 * itself (RFC 3463 5.1.x / 5.2.1, or any 5xx to RCPT TO), so the channel suppresses it.
 */
import type { SendResult } from '../channel.js';

export interface Mailbox {
  address: string;
  name?: string | undefined;
}

export interface OutgoingEmail {
  workspaceId: string;
  /** Our message record id (messages.id). */
  recordId: string;
  from: Mailbox;
  /**
   * The one recipient, structured: a parsed mailbox (src/core/email-address.ts), never a header
   * string, so it cannot carry a list or a header. ./providers/mime.ts parses it again and makes it the
   * whole SMTP envelope; a value that does not parse is refused (permanent), not sent.
   */
  to: Mailbox;
  replyTo?: string | undefined;
  subject: string;
  html: string;
  text: string;
  /** RFC 5322 Message-ID including angle brackets; deterministic per idempotency key. */
  messageId: string;
  date: Date;
  /**
   * Extra headers, each written verbatim on ONE line (not folded or encoded by the MIME library):
   * List-Unsubscribe, List-Unsubscribe-Post, List-Id, Feedback-ID. See docs/standards.md §9 on folding.
   */
  headers: Record<string, string>;
  /** SMTP envelope sender (VERP `bounces+<id>@domain`); defaults to the From address. */
  returnPath?: string | undefined;
}

/**
 * `recipientDeferral`: the receiving server answered the recipient (RCPT TO, or the message) with
 * 4xx, e.g. greylisting or Gmail's 421: its domain backs off (./limits/backoff.ts), the provider is
 * fine (no failover, its circuit is not charged).
 */
export type ProviderResult = SendResult | { status: 'permanent'; reason: string; hardBounce: true } | { status: 'retryable'; reason: string; recipientDeferral: true };

export interface EmailProvider {
  readonly name: string;
  send(message: OutgoingEmail): Promise<ProviderResult>;
  close(): Promise<void>;
}
