import { describe, expect, it } from 'vitest';
import { parseTwilioInbound, parseTwilioStatus } from './receipts.js';

const sid = 'SM0123456789abcdef0123456789abcdef';

describe('Twilio StatusCallbacks as receipts', () => {
  it('maps delivered, undelivered, failed and sent; interim statuses are not receipts', () => {
    expect(parseTwilioStatus({ MessageSid: sid, MessageStatus: 'delivered' })).toEqual({ providerMessageId: sid, status: 'delivered' });
    expect(parseTwilioStatus({ MessageSid: sid, MessageStatus: 'sent', ErrorCode: '0' })).toEqual({ providerMessageId: sid, status: 'sent' });
    expect(parseTwilioStatus({ MessageSid: sid, MessageStatus: 'failed', ErrorCode: '30008' })).toEqual({ providerMessageId: sid, status: 'failed', errorCode: '30008' });
    for (const interim of ['queued', 'accepted', 'sending', 'scheduled', 'canceled', '']) expect(parseTwilioStatus({ MessageSid: sid, MessageStatus: interim })).toBeNull();
    expect(parseTwilioStatus({ MessageStatus: 'delivered' })).toBeNull();
  });

  it('marks unknown handsets (30005) and landlines (30006) as invalid numbers, not unreachable (30003) or filtered (30007)', () => {
    const of = (code: string) => parseTwilioStatus({ MessageSid: sid, MessageStatus: 'undelivered', ErrorCode: code });
    expect(of('30005')).toEqual({ providerMessageId: sid, status: 'undelivered', errorCode: '30005', invalidNumber: true });
    expect(of('30006')).toMatchObject({ invalidNumber: true });
    expect(of('30003')).toEqual({ providerMessageId: sid, status: 'undelivered', errorCode: '30003' });
    expect(of('30007')).not.toHaveProperty('invalidNumber');
    expect(of('30008')).not.toHaveProperty('invalidNumber');
  });
});

describe('Twilio inbound messages', () => {
  it('gives From, To, Body and the MessageSid; Arabic text arrives as sent', () => {
    expect(parseTwilioInbound({ MessageSid: sid, From: '+966501234567', To: '+15005550006', Body: 'إلغاء' })).toEqual({
      from: '+966501234567',
      to: '+15005550006',
      text: 'إلغاء',
      providerMessageId: sid,
    });
    expect(parseTwilioInbound({ From: '+15005550001', To: '+15005550006' })).toEqual({ from: '+15005550001', to: '+15005550006', text: '' });
    expect(parseTwilioInbound({ To: '+15005550006', Body: 'STOP' })).toBeNull();
  });
});
