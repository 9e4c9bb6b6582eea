/**
 * @module Receipts of concatenated messages. A long SMS is one submit_sm per part, and the SMSC
 * answers each with its own message id and later sends a receipt per part. The send answers the
 * first part's id (the one Qatra records); the others are kept here mapped to it, so that a receipt
 * of any part resolves to the message: the first receipt that is neither `delivered` nor `sent` is
 * passed on at once (as the message's), `delivered` only once every part is delivered, and nothing
 * after that first final answer. Kept in memory, bounded (`maxMessages`, oldest dropped); after a
 * restart a part's receipt is passed on under its own id, which for the first part is the message's.
 */
import type { SmsReceipt } from '../../provider.js';

interface Tracked {
  messageId: string;
  parts: readonly string[];
  /** Parts with no final receipt yet. */
  waiting: Set<string>;
  answered: boolean;
}

export class MultipartReceipts {
  private readonly byPart = new Map<string, Tracked>();
  private readonly messages = new Map<string, Tracked>();

  constructor(private readonly maxMessages = 100_000) {}

  get size(): number {
    return this.messages.size;
  }

  track(partIds: readonly string[]): void {
    if (partIds.length < 2) return;
    if (this.messages.size >= this.maxMessages) this.forget(this.messages.values().next().value!);
    const tracked: Tracked = { messageId: partIds[0]!, parts: [...partIds], waiting: new Set(partIds), answered: false };
    this.messages.set(tracked.messageId, tracked);
    for (const id of partIds) this.byPart.set(id, tracked);
  }

  /** The receipt to pass on for one part's receipt, or null when it says nothing new about the message. */
  resolve(receipt: SmsReceipt): SmsReceipt | null {
    const tracked = this.byPart.get(receipt.providerMessageId);
    if (!tracked) return receipt;
    if (receipt.status === 'sent') return null;
    tracked.waiting.delete(receipt.providerMessageId);
    if (tracked.waiting.size === 0) this.forget(tracked);
    if (tracked.answered) return null;
    if (receipt.status === 'delivered' && tracked.waiting.size > 0) return null;
    tracked.answered = true;
    return { ...receipt, providerMessageId: tracked.messageId };
  }

  private forget(tracked: Tracked): void {
    this.messages.delete(tracked.messageId);
    for (const part of tracked.parts) this.byPart.delete(part);
  }
}
