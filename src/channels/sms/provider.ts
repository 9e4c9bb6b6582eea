/**
 * @module The SMS provider interface. A provider takes one rendered SMS (or a batch) and answers what
 * happened; delivery receipts and inbound (mobile-originated) messages come back through the
 * `SmsProviderEvents` it was built with (SMPP delivers them on its session) or through signed HTTP
 * callbacks that the provider parses (Twilio's StatusCallback and inbound webhook).
 *
 * Error model: `send` never throws for a delivery problem; it returns a discriminated union:
 *  - sent:      the provider accepted it, with its id for the message (receipts name that id);
 *  - retryable: try again later (connection lost, throttled, HTTP 5xx/429, timeout);
 *  - permanent: never succeeds; `invalidNumber` when the number cannot receive SMS (invalid,
 *               landline): the pipeline then suppresses the number.
 */

/** One SMS ready to leave: rendered, opt-out text and short links applied, encoding known. */
export interface SmsMessage {
  /** Qatra's message record id (stable across retries). */
  recordId: string;
  /** The delivery's idempotency key: providers that accept one get it (never two sends of one key). */
  idempotencyKey: string;
  /** E.164, e.g. `+966501234567`. */
  to: string;
  /** Sender: an E.164 number, a short code or an alphanumeric sender id (≤ 11 characters). */
  from: string;
  body: string;
  /** GSM 03.38 7-bit (data_coding 0) or UCS-2 (data_coding 8); decided by ./encoding.ts. */
  encoding: 'gsm7' | 'ucs2';
  /** How many parts it is sent as (1 for a single SMS). */
  segments: number;
  /** Where the provider should post delivery receipts for this message, when it posts them over HTTP. */
  statusCallbackUrl?: string | undefined;
}

export type SmsSendResult =
  | { status: 'sent'; providerMessageId: string }
  | { status: 'retryable'; reason: string; code?: string | undefined; retryAfterMs?: number | undefined }
  | { status: 'permanent'; reason: string; code?: string | undefined; invalidNumber?: boolean | undefined };

/** A delivery receipt: what became of a message the provider accepted. */
export interface SmsReceipt {
  providerMessageId: string;
  status: 'delivered' | 'undelivered' | 'failed' | 'sent';
  /** The provider's error code, when it gave one. */
  errorCode?: string | undefined;
  /** True when the code says the number can never receive SMS (invalid, landline, deactivated). */
  invalidNumber?: boolean | undefined;
  /** When the provider says it happened (epoch ms), if it says. */
  at?: number | undefined;
}

/** A mobile-originated message (a reply: STOP, HELP, …). */
export interface SmsInbound {
  /** E.164 of the sender (the contact). */
  from: string;
  /** The number or short code it was sent to. */
  to: string;
  text: string;
  providerMessageId?: string | undefined;
}

/** Where a provider reports what arrives outside a send call (SMPP deliver_sm). */
export interface SmsProviderEvents {
  onReceipt(receipt: SmsReceipt): void | Promise<void>;
  onInbound(message: SmsInbound): void | Promise<void>;
}

export interface SmsProvider {
  /** The implementation: `outbox`, `twilio`, `smpp`, `http`. */
  readonly kind: string;
  send(message: SmsMessage): Promise<SmsSendResult>;
  /** Optional: one answer per message, in order. */
  sendBatch?(messages: readonly SmsMessage[]): Promise<SmsSendResult[]>;
  /** Ends connections (SMPP session, keep-alive agents). */
  close(): Promise<void>;
}
