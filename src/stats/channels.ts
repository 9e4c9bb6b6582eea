/**
 * @module The figures of one channel within a scope (`byChannel`): what its messages did, in that
 * channel's terms (./channel-measures.ts). Built from the same grouped rows as the totals plus the
 * channel columns of `messages` (segments, cost_micros, delivery_status from receipts) and the
 * opt-outs of consent_history, so the totals of existing callers are unchanged.
 *  - delivered: `accepted` channels: sent and not bounced (the totals' meaning); `receipt`
 *    channels: a receipt said delivered. undelivered: bounced (email) or a receipt said so.
 *    failed: refused before leaving, or a receipt said failed. pending: sent, no receipt yet.
 *  - engaged: messages clicked, or (channels with opens) opened by a person.
 *  - optOuts: unsubscribes of the channel's consent attributed to the contact's last message of the
 *    channel sent in the 30 days before (sources filtered by the channel's measures).
 *  - segments, costMicros: sums of what the provider reported (millionths of the workspace currency).
 */
import type { ChannelMeasures } from './channel-measures.js';
import type { MessageCounts } from './counts.js';

/** The channel columns of one group of messages, before the channel's measures are applied. */
export interface ChannelRaw {
  receiptDelivered: number;
  receiptUndelivered: number;
  receiptFailed: number;
  segments: number;
  costMicros: number;
  /** Messages clicked or opened by a person. */
  engagedAny: number;
  /** Messages the recipient read, by the provider's read receipt (`messages.read_at`: WhatsApp). */
  reads: number;
  /** Attributed unsubscribes of the message's channel, by consent source ('' when none; a Map: sources are user-chosen text). */
  optOutsBySource: Map<string, number>;
}

export const emptyRaw = (): ChannelRaw => ({ receiptDelivered: 0, receiptUndelivered: 0, receiptFailed: 0, segments: 0, costMicros: 0, engagedAny: 0, reads: 0, optOutsBySource: new Map() });

export function addRaw(into: ChannelRaw, from: ChannelRaw): ChannelRaw {
  into.receiptDelivered += from.receiptDelivered;
  into.receiptUndelivered += from.receiptUndelivered;
  into.receiptFailed += from.receiptFailed;
  into.segments += from.segments;
  into.costMicros += from.costMicros;
  into.engagedAny += from.engagedAny;
  into.reads += from.reads;
  for (const [s, n] of from.optOutsBySource) into.optOutsBySource.set(s, (into.optOutsBySource.get(s) ?? 0) + n);
  return into;
}

export interface ChannelRates {
  delivery: number | null;
  clickThrough: number | null;
  optOut: number | null;
  /** Channels with opens only. */
  open?: number | null;
  clickToOpen?: number | null;
  /** Channels with read receipts only: read per delivered. */
  read?: number | null;
  /** Channels with bounces only. */
  bounce?: number | null;
  complaint?: number | null;
}

export interface ChannelFigures {
  recorded: number;
  queued: number;
  sent: number;
  delivered: number;
  undelivered: number;
  failed: number;
  pending: number;
  skipped: number;
  clicks: number;
  uniqueClicks: number;
  engaged: number;
  optOuts: number;
  segments: number;
  costMicros: number;
  /** Channels with opens only. */
  opens?: number;
  uniqueOpens?: number;
  humanOpens?: number;
  machineOnlyOpens?: number;
  /** Channels with read receipts only (WhatsApp): messages the recipient read. */
  reads?: number;
  /** Channels with bounces only. */
  bounces?: number;
  complaints?: number;
  rates: ChannelRates;
  attributedConversions: number;
  revenue: number;
  /** sent × the workspace's cost per message of the channel (settings), as in the totals. */
  cost: number | null;
  roi: number | null;
}

const ratio = (a: number, b: number): number | null => (b > 0 ? Math.round((a / b) * 1e6) / 1e6 : null);

export function channelFigures(measures: ChannelMeasures, c: MessageCounts, x: ChannelRaw, money: Pick<ChannelFigures, 'attributedConversions' | 'revenue' | 'cost' | 'roi'>): ChannelFigures {
  const byReceipt = measures.delivered === 'receipt';
  const delivered = byReceipt ? x.receiptDelivered : c.delivered;
  const undelivered = byReceipt ? x.receiptUndelivered : c.bounced;
  const failed = c.failed + (byReceipt ? x.receiptFailed : 0);
  const pending = byReceipt ? Math.max(0, c.sent - x.receiptDelivered - x.receiptUndelivered - x.receiptFailed) : 0;
  const sources = measures.optOutSources;
  const optOuts = [...x.optOutsBySource].reduce((sum, [s, n]) => (sources === null || sources.includes(s) ? sum + n : sum), 0);
  const f: ChannelFigures = {
    recorded: c.recorded,
    queued: c.queued,
    sent: c.sent,
    delivered,
    undelivered,
    failed,
    pending,
    skipped: c.skipped,
    clicks: c.clicks,
    uniqueClicks: c.uniqueClicks,
    engaged: measures.opens ? x.engagedAny : c.uniqueClicks,
    optOuts,
    segments: x.segments,
    costMicros: x.costMicros,
    rates: { delivery: ratio(delivered, c.sent), clickThrough: ratio(c.uniqueClicks, delivered), optOut: ratio(optOuts, delivered) },
    ...money,
  };
  if (measures.opens) {
    Object.assign(f, { opens: c.opens, uniqueOpens: c.uniqueOpens, humanOpens: c.humanOpens, machineOnlyOpens: c.machineOnlyOpens });
    Object.assign(f.rates, { open: ratio(c.humanOpens, delivered), clickToOpen: ratio(c.uniqueClicks, c.humanOpens) });
  }
  if (measures.reads) {
    f.reads = x.reads;
    f.rates.read = ratio(x.reads, delivered);
  }
  if (measures.bounces) {
    Object.assign(f, { bounces: c.bounced, complaints: c.complained });
    Object.assign(f.rates, { bounce: ratio(c.bounced, c.sent), complaint: ratio(c.complained, delivered) });
  }
  return f;
}
