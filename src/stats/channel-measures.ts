/**
 * @module What each channel can measure, and so what its statistics mean: how a delivery is known,
 * whether opens, bounces and complaints exist, and which consent changes count as an opt-out made
 * from one of its messages. One lookup (`channelMeasures`) that every stats fold takes as a
 * parameter, read from the channel descriptors (src/channels/descriptors.ts).
 */
import { descriptorOf } from '../channels/descriptors.js';

export interface ChannelMeasures {
  /**
   * `accepted`: the provider accepting the message is its delivery, until a bounce says otherwise
   * (email: SMTP gives no receipt; webhook: the 2xx answer is the delivery). `receipt`: only a
   * provider receipt (`messages.delivery_status = 'delivered'`) is (SMS delivery reports).
   */
  delivered: 'accepted' | 'receipt';
  /** Opens are tracked (a pixel): opens, uniqueOpens, humanOpens and the open rate exist, and a human open is an engagement. */
  opens: boolean;
  /** Bounces and complaints (feedback loops) exist. */
  bounces: boolean;
  /** Read receipts exist (WhatsApp): `reads` and the read rate. */
  reads?: boolean;
  /** consent_history sources that count as an opt-out made from a message; null: every source. */
  optOutSources: readonly string[] | null;
}

export type MeasuresOf = (channel: string) => ChannelMeasures;

/** A channel this table does not name: delivered when accepted, clicks only, every opt-out counts. */
export const OTHER_CHANNEL: ChannelMeasures = Object.freeze({ delivered: 'accepted', opens: false, bounces: false, optOutSources: null });

export const channelMeasures: MeasuresOf = (channel) => {
  const d = descriptorOf(channel);
  if (!d) return OTHER_CHANNEL;
  return {
    delivered: d.delivered === 'receipt' ? 'receipt' : 'accepted',
    opens: d.engagement.includes('open'),
    bounces: d.bounces,
    reads: d.engagement.includes('read'),
    optOutSources: d.optOutSources,
  };
};
