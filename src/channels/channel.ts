/**
 * @module The channel interface: how a journey's message node (or a broadcast, or the transactional
 * API) hands one message to a channel (email, webhook, sms, …). Channels are registered in a typed
 * map (see ./registry.ts) in the shape of a Kysely dialect; a vendor SDK is imported only inside its
 * own folder.
 *
 * Error model: `send` never throws for delivery problems; it returns a discriminated union.
 *  - sent:      the provider accepted the message (providerMessageId when it gives one);
 *  - retryable: try again later (connection error, 4xx SMTP, HTTP 5xx/429, timeout); `deferred`
 *               when nothing was attempted (a throttle, a warm-up cap, a domain backing off): try
 *               again after `retryAfterMs`, and do not count it as an attempt;
 *  - permanent: will never succeed (5xx SMTP, HTTP 4xx, invalid address); the caller marks failure;
 *  - skipped:   deliberately not sent (no address, suppressed, unsubscribed), with the reason.
 */
import type { Contact } from '../contacts/contact.js';
import type { JsonObject } from '../core/json.js';

export type SendResult =
  | { status: 'sent'; providerMessageId?: string; detail?: JsonObject }
  | { status: 'retryable'; reason: string; retryAfterMs?: number; deferred?: boolean }
  | { status: 'permanent'; reason: string }
  | { status: 'skipped'; reason: string };

export interface MessageContext {
  journeyId?: string;
  journeyVersion?: number;
  runId?: string;
  nodeId?: string;
  /** Properties of the event that started the run (`{{ trigger.* }}`). */
  trigger?: JsonObject;
  /** Properties of the last event a wait-for-event node matched (`{{ event.* }}`). */
  event?: JsonObject;
  /** Journey-scoped data (`{{ journey.* }}`). */
  data?: JsonObject;
}

export interface SendRequest {
  workspaceId: string;
  contact: Contact;
  /** Deterministic and unique per delivery, e.g. `run:<runId>:<nodeId>:<visit>`; recorded before the provider is called. */
  idempotencyKey: string;
  /** Channel-specific settings from the message node (template id, url, …). */
  config: JsonObject;
  context: MessageContext;
  /** Marketing messages honour consent, caps and quiet hours; transactional ones bypass them. */
  kind: 'marketing' | 'transactional';
}

export interface Channel {
  readonly name: string;
  send(request: SendRequest): Promise<SendResult>;
  /**
   * Optional: the same answers as `send`, one per request and in order, for a batch handed over at
   * once (a claimed batch of journey steps, a broadcast batch), so the channel can share its reads
   * and writes across the batch. Throws only when no request of the batch could be attempted.
   */
  sendBatch?(requests: readonly SendRequest[]): Promise<SendResult[]>;
}

/**
 * Hands a batch to a channel: through `sendBatch` when it has one, else `send` for each request in
 * parallel. Never throws: a channel that throws answers `retryable` for what it was given.
 */
export async function sendMany(channel: Channel, requests: readonly SendRequest[]): Promise<SendResult[]> {
  const threw = (err: unknown): SendResult => ({ status: 'retryable', reason: `channel threw: ${(err as Error).message}` });
  if (requests.length === 0) return [];
  if (channel.sendBatch) {
    try {
      return await channel.sendBatch(requests);
    } catch (err) {
      return requests.map(() => threw(err));
    }
  }
  return Promise.all(requests.map((r) => channel.send(r).catch(threw)));
}
