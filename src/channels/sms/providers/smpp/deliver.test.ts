import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeSms } from '../../encoding.js';
import type { SmsMessage, SmsProvider } from '../../provider.js';
import { createSmppProvider } from './index.js';
import { recordingEvents, startTestSmsc, type TestSmsc } from './server.testkit.js';

let smsc: TestSmsc;
let provider: SmsProvider | null = null;
let events: ReturnType<typeof recordingEvents>;

beforeEach(async () => {
  smsc = await startTestSmsc();
  events = recordingEvents();
  provider = createSmppProvider({ host: '127.0.0.1', port: smsc.port, systemId: 'qatra', password: 'secret', submitTimeoutMs: 2_000 }, events);
  // Bound once a send has gone through.
  expect(await provider.send(sms('warm up'))).toMatchObject({ status: 'sent' });
});
afterEach(async () => {
  await provider?.close();
  await smsc.close();
});

let seq = 0;
function sms(body: string): SmsMessage {
  const { encoding, segments } = analyzeSms(body);
  seq++;
  return { recordId: `r${seq}`, idempotencyKey: `k${seq}`, to: '+966501234567', from: 'Qatra', body, encoding, segments };
}

async function sentId(body: string): Promise<string> {
  const result = await provider!.send(sms(body));
  if (result.status !== 'sent') throw new Error(`not sent: ${JSON.stringify(result)}`);
  return result.providerMessageId;
}

describe('smpp delivery receipts', () => {
  it('a DELIVRD receipt text reaches onReceipt as delivered, with its done date', async () => {
    const id = await sentId('hello');
    expect(await smsc.sendReceipt({ messageId: id, stat: 'DELIVRD', doneDate: '2601051230' })).toBe(0);
    expect(events.receipts).toEqual([{ providerMessageId: id, status: 'delivered', at: Date.UTC(2026, 0, 5, 12, 30) }]);
  });

  it('UNDELIV → undelivered with its err code; REJECTD, EXPIRED, DELETED and UNKNOWN → failed', async () => {
    const ids = [await sentId('a'), await sentId('b'), await sentId('c'), await sentId('d'), await sentId('e')];
    await smsc.sendReceipt({ messageId: ids[0]!, stat: 'UNDELIV', err: '001' });
    for (const [i, stat] of ['REJECTD', 'EXPIRED', 'DELETED', 'UNKNOWN'].entries()) await smsc.sendReceipt({ messageId: ids[i + 1]!, stat, err: '0AB' });
    expect(events.receipts.map((r) => [r.providerMessageId, r.status, r.errorCode])).toEqual([
      [ids[0], 'undelivered', '001'],
      [ids[1], 'failed', '0AB'],
      [ids[2], 'failed', '0AB'],
      [ids[3], 'failed', '0AB'],
      [ids[4], 'failed', '0AB'],
    ]);
    expect(smsc.deliverResponses.every((s) => s === 0)).toBe(true);
  });

  it('the receipted_message_id and message_state TLVs win over the text', async () => {
    const id = await sentId('hello');
    await smsc.sendReceipt({ messageId: id, stat: 'DELIVRD', tlvs: true, text: 'id:somethingelse stat:UNDELIV err:000' });
    expect(events.receipts).toEqual([{ providerMessageId: id, status: 'delivered' }]);
  });

  it('receipts of a concatenated message’s parts resolve to its first part’s id: delivered once every part is, a failed part at once and nothing after', async () => {
    const before = smsc.submits.length;
    const id = await sentId('x'.repeat(400));
    const parts = smsc.submits.slice(before).map((s) => s.messageId!);
    expect(parts).toHaveLength(3);
    expect(parts[0]).toBe(id);
    await smsc.sendReceipt({ messageId: parts[2]!, stat: 'DELIVRD' });
    await smsc.sendReceipt({ messageId: parts[0]!, stat: 'DELIVRD' });
    expect(events.receipts).toEqual([]);
    await smsc.sendReceipt({ messageId: parts[1]!, stat: 'DELIVRD' });
    expect(events.receipts).toMatchObject([{ providerMessageId: id, status: 'delivered' }]);

    const before2 = smsc.submits.length;
    const id2 = await sentId('y'.repeat(400));
    const parts2 = smsc.submits.slice(before2).map((s) => s.messageId!);
    await smsc.sendReceipt({ messageId: parts2[1]!, stat: 'UNDELIV', err: '005' });
    await smsc.sendReceipt({ messageId: parts2[0]!, stat: 'DELIVRD' });
    await smsc.sendReceipt({ messageId: parts2[2]!, stat: 'DELIVRD' });
    expect(events.receipts.slice(1)).toEqual([{ providerMessageId: id2, status: 'undelivered', errorCode: '005', at: expect.any(Number) }]);
  });

  it('a receipt naming no state we know is answered and ignored', async () => {
    expect(await smsc.sendReceipt({ messageId: 'x', stat: 'WHATEVER', text: 'garbage without fields' })).toBe(0);
    expect(events.receipts).toEqual([]);
  });
});

describe('smpp mobile-originated messages', () => {
  it('a GSM-7 MO reaches onInbound with the sender as E.164', async () => {
    expect(await smsc.sendMo({ from: '+966501234567', to: '4455', text: 'STOP', encoding: 'gsm7' })).toEqual([0]);
    expect(events.inbound).toEqual([{ from: '+966501234567', to: '4455', text: 'STOP' }]);
  });

  it('a concatenated Arabic MO arriving out of order is reassembled into one inbound message', async () => {
    const text = 'أرجو إيقاف الرسائل التسويقية من فضلكم، لم أعد أرغب في تلقي أي عروض على هذا الرقم. شكراً جزيلاً لكم على تفهمكم';
    const statuses = await smsc.sendMo({ from: '+966501234567', to: 'Qatra', text, encoding: 'ucs2', partChars: 40, order: [2, 3, 1] });
    expect(statuses).toEqual([0, 0, 0]);
    expect(events.inbound).toEqual([{ from: '+966501234567', to: 'Qatra', text }]);
  });

  it('when onInbound throws, deliver_sm_resp says ESME_RX_T_APPN so the SMSC delivers it again, and the redelivery is taken', async () => {
    let fail = true;
    events.onInbound = (message) => {
      if (fail) {
        fail = false;
        throw new Error('database down');
      }
      events.inbound.push(message);
    };
    expect(await smsc.sendMo({ from: '+966501234567', to: '4455', text: 'HELP', encoding: 'gsm7' })).toEqual([0x64]);
    expect(await smsc.sendMo({ from: '+966501234567', to: '4455', text: 'HELP', encoding: 'gsm7' })).toEqual([0]);
    expect(events.inbound).toEqual([{ from: '+966501234567', to: '4455', text: 'HELP' }]);
  });
});
