/**
 * @module Twilio's callbacks as the SMS interface's types: a StatusCallback (`MessageSid`,
 * `MessageStatus`, `ErrorCode`) becomes an SmsReceipt, an inbound message webhook (`MessageSid`,
 * `From`, `To`, `Body`) an SmsInbound. Interim statuses (`queued`, `accepted`, `sending`,
 * `scheduled`, …) are not receipts: `parseTwilioStatus` answers null for them, and for a callback
 * without a MessageSid.
 */
import type { SmsInbound, SmsReceipt } from '../../provider.js';
import { DELIVERY_ERROR_CODES } from './codes.js';

type Params = Readonly<Record<string, string | readonly string[] | undefined>>;

const one = (params: Params, name: string): string | undefined => {
  const v = params[name];
  return typeof v === 'string' ? v : v?.[0];
};

const FINAL: Readonly<Record<string, SmsReceipt['status']>> = {
  delivered: 'delivered',
  undelivered: 'undelivered',
  failed: 'failed',
  sent: 'sent',
  // WhatsApp and RCS report `read`: the message was delivered.
  read: 'delivered',
};

export function parseTwilioStatus(params: Params): SmsReceipt | null {
  const sid = one(params, 'MessageSid') ?? one(params, 'SmsSid');
  const status = FINAL[(one(params, 'MessageStatus') ?? one(params, 'SmsStatus') ?? '').toLowerCase()];
  if (!sid || !status) return null;
  const receipt: SmsReceipt = { providerMessageId: sid, status };
  const code = one(params, 'ErrorCode');
  if (code && code !== '0') {
    receipt.errorCode = code;
    if (DELIVERY_ERROR_CODES[Number(code)]?.invalidNumber) receipt.invalidNumber = true;
  }
  return receipt;
}

export function parseTwilioInbound(params: Params): SmsInbound | null {
  const from = one(params, 'From');
  const to = one(params, 'To');
  if (!from || !to) return null;
  const inbound: SmsInbound = { from, to, text: one(params, 'Body') ?? '' };
  const sid = one(params, 'MessageSid') ?? one(params, 'SmsMessageSid') ?? one(params, 'SmsSid');
  if (sid) inbound.providerMessageId = sid;
  return inbound;
}
