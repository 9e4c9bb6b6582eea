/**
 * @module What a channel brings to the send pipeline (./pipeline.ts): the parts that differ between
 * email, SMS and the channels to come. Each method answers for one request or one held delivery;
 * the pipeline batches, records, checks suppression and consent, and settles.
 */
import type { SendRequest, SendResult } from './channel.js';
import type { ChannelDescriptor } from './descriptor.js';
import type { Message, SentContent } from '../messages/records.js';

export type AddressCheck = { ok: true; value: string } | { ok: false; reason: string };

/** A delivery the pipeline holds (recorded, claimed, addressed, not suppressed): the channel sends it. */
export interface ClaimedDelivery {
  request: SendRequest;
  message: Message;
  /** The contact's address on the channel, normalised (an email address, an E.164 number). */
  address: string;
}

export interface DeliveryOutcome {
  result: SendResult;
  /** What left (provider, address, subject, links, Message-ID, parts, cost), recorded with the outcome. */
  content: SentContent | null;
  /**
   * With a `permanent` result: the address can never receive (a hard bounce, an invalid or landline
   * number), so it is suppressed. `bounced` records the message as bounced rather than failed.
   */
  suppressAddress?: { source: string; detail: string; bounced: boolean } | undefined;
}

export interface ChannelSender<Ctx> {
  readonly descriptor: ChannelDescriptor;
  /** What the request's record names (its template), or why it can never be sent. */
  plan(request: SendRequest): { templateId: string | null } | { error: string };
  /** The contact's stored address, checked and normalised, or why it cannot be used. */
  address(raw: string): AddressCheck;
  /** What every send of a workspace needs (provider, settings, secrets): read once per batch. */
  workspace(workspaceId: string): Promise<Ctx>;
  /** Renders the message and hands it to the provider; throws only for what is not a delivery problem. */
  deliver(delivery: ClaimedDelivery, context: Ctx): Promise<DeliveryOutcome>;
}
