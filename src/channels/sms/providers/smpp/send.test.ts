import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeSms } from '../../encoding.js';
import type { SmsMessage, SmsProvider } from '../../provider.js';
import { createSmppProvider, type SmppOptions } from './index.js';
import { recordingEvents, startTestSmsc, type TestSmsc } from './server.testkit.js';

let smsc: TestSmsc;
let provider: SmsProvider | null = null;

beforeEach(async () => {
  smsc = await startTestSmsc();
});
afterEach(async () => {
  await provider?.close();
  provider = null;
  await smsc.close();
});

function connect(options: Partial<SmppOptions> = {}): SmsProvider {
  provider = createSmppProvider({ host: '127.0.0.1', port: smsc.port, systemId: 'qatra', password: 'secret', submitTimeoutMs: 2_000, throttleBackoffMs: 100, ...options }, recordingEvents());
  return provider;
}

let seq = 0;
function sms(body: string, overrides: Partial<SmsMessage> = {}): SmsMessage {
  const { encoding, segments } = analyzeSms(body);
  seq++;
  return { recordId: `r${seq}`, idempotencyKey: `k${seq}`, to: '+966501234567', from: 'Qatra', body, encoding, segments, ...overrides };
}

/** The text a handset shows: the parts of each reference joined in sequence order. */
function reassemble(submits: TestSmsc['submits']): string {
  const ordered = [...submits].sort((a, b) => (a.udh?.[5] ?? 0) - (b.udh?.[5] ?? 0));
  return ordered.map((s) => s.text).join('');
}

const ARABIC = 'مرحبا بك في قطرة، عرضنا الخاص ينتهي الليلة. ';

describe('smpp submit_sm', () => {
  it('sends a GSM-7 SMS as one submit_sm: data_coding 0, septet octets (extension characters escaped), registered_delivery 1, alphanumeric sender 5/0, destination 1/1', async () => {
    const result = await connect().send(sms('Hi {name}, 20€ off_today'));
    expect(result).toEqual({ status: 'sent', providerMessageId: smsc.submits[0]!.messageId });
    expect(smsc.submits).toHaveLength(1);
    const pdu = smsc.submits[0]!;
    expect(pdu).toMatchObject({
      dataCoding: 0,
      esmClass: 0,
      registeredDelivery: 1,
      udh: null,
      sourceAddr: 'Qatra',
      sourceTon: 5,
      sourceNpi: 0,
      destinationAddr: '966501234567',
      destTon: 1,
      destNpi: 1,
    });
    expect(pdu.text).toBe('Hi {name}, 20€ off_today');
    // GSM 03.38: `{` is ESC 0x28, `€` is ESC 0x65, `_` is 0x11.
    expect([...pdu.body.subarray(3, 5)]).toEqual([0x1b, 0x28]);
    expect(pdu.body.includes(Buffer.from([0x1b, 0x65]))).toBe(true);
    expect(pdu.body.at(-6)).toBe(0x11);
  });

  it('sends a long GSM-7 message as concatenated parts (UDH 05 00 03 ref total seq, esm_class 0x40, ≤ 153 septets) that reassemble to the original', async () => {
    const body = `${'Your order {A-1} is ready. '.repeat(14)}Thanks!`;
    const message = sms(body);
    expect(message.segments).toBe(3);
    const result = await connect().send(message);
    expect(smsc.submits).toHaveLength(3);
    expect(result).toEqual({ status: 'sent', providerMessageId: smsc.submits[0]!.messageId });
    const ref = smsc.submits[0]!.udh![3];
    smsc.submits.forEach((s, i) => {
      expect(s.esmClass & 0x40).toBe(0x40);
      expect(s.dataCoding).toBe(0);
      expect([...s.udh!]).toEqual([0x05, 0x00, 0x03, ref, 3, i + 1]);
      expect(s.body.length).toBeLessThanOrEqual(153);
    });
    expect(reassemble(smsc.submits)).toBe(body);
  });

  it('sends Arabic as UCS-2 (data_coding 8, UTF-16BE octets), an international sender as 1/1 without the plus', async () => {
    const text = 'مرحبا أحمد، رمزك 4821';
    const result = await connect().send(sms(text, { from: '+966550000001' }));
    expect(result.status).toBe('sent');
    const pdu = smsc.submits[0]!;
    expect(pdu).toMatchObject({ dataCoding: 8, esmClass: 0, udh: null, sourceAddr: '966550000001', sourceTon: 1, sourceNpi: 1, text });
    expect(pdu.body).toEqual(Buffer.from(text, 'utf16le').swap16());
  });

  it('sends a long Arabic message as UCS-2 parts of at most 67 code units that reassemble to the original', async () => {
    const body = ARABIC.repeat(4);
    const message = sms(body);
    expect(message).toMatchObject({ encoding: 'ucs2', segments: 3 });
    await connect().send(message);
    expect(smsc.submits).toHaveLength(3);
    for (const s of smsc.submits) {
      expect(s.dataCoding).toBe(8);
      expect(s.udh!.length + s.body.length).toBeLessThanOrEqual(140);
    }
    expect(reassemble(smsc.submits)).toBe(body);
  });

  it('gives each concatenated message its own reference', async () => {
    const p = connect();
    await p.send(sms(ARABIC.repeat(3)));
    await p.send(sms(ARABIC.repeat(3)));
    const refs = new Set(smsc.submits.map((s) => s.udh![3]));
    expect(refs.size).toBe(2);
  });

  it('answers permanent (invalidNumber) for a destination that is not a number, without submitting', async () => {
    const result = await connect().send(sms('hello', { to: '+96650abc' }));
    expect(result).toMatchObject({ status: 'permanent', invalidNumber: true });
    const badSender = await connect().send(sms('hello', { from: 'Sender\u0000With a very long name' }));
    expect(badSender.status).toBe('permanent');
    expect(smsc.submits).toHaveLength(0);
  });

  it('maps command_status: ESME_RINVDSTADR → permanent invalidNumber, ESME_RINVSRCADR → permanent, ESME_RSYSERR and ESME_RMSGQFUL → retryable', async () => {
    const p = connect();
    smsc.throttleNext(1, 0x0b);
    expect(await p.send(sms('a'))).toMatchObject({ status: 'permanent', invalidNumber: true, code: 'ESME_RINVDSTADR' });
    smsc.throttleNext(1, 0x0a);
    const src = await p.send(sms('b'));
    expect(src).toMatchObject({ status: 'permanent', code: 'ESME_RINVSRCADR' });
    expect(src).not.toHaveProperty('invalidNumber');
    smsc.throttleNext(1, 0x08);
    expect(await p.send(sms('c'))).toMatchObject({ status: 'retryable', code: 'ESME_RSYSERR' });
    smsc.throttleNext(1, 0x14);
    expect(await p.send(sms('d'))).toMatchObject({ status: 'retryable', code: 'ESME_RMSGQFUL', retryAfterMs: 100 });
  });

  it('a refused part stops the rest of a long message and answers for the message', async () => {
    // The second part is refused: the third is never sent.
    smsc.answerNext([0, 0x08]);
    const result = await connect().send(sms(ARABIC.repeat(4)));
    expect(result).toMatchObject({ status: 'retryable', code: 'ESME_RSYSERR' });
    expect(result.status === 'retryable' && result.reason).toMatch(/^part 2 of 3/);
    expect(smsc.submits).toHaveLength(2);
  });
});

describe('smpp throttling and the window', () => {
  it('throttled submits answer retryable with a back-off; retried after it they are sent, and nothing that answered sent was submitted twice', async () => {
    const p = connect({ windowSize: 5, throttleBackoffMs: 150 });
    await p.send(sms('warm up'));
    smsc.throttleNext(2);
    const batch = ['one', 'two', 'three', 'four', 'five'].map((b) => sms(b));
    const results = await p.sendBatch!(batch);
    expect(results.filter((r) => r.status === 'retryable')).toHaveLength(2);
    for (const r of results) if (r.status === 'retryable') expect(r).toMatchObject({ code: 'ESME_RTHROTTLED', retryAfterMs: 150 });
    const retry = batch.filter((_, i) => results[i]!.status === 'retryable');
    await new Promise((r) => setTimeout(r, 150));
    const retried = await p.sendBatch!(retry);
    expect(retried.every((r) => r.status === 'sent')).toBe(true);
    for (const message of batch) {
      const accepted = smsc.submits.filter((s) => s.text === message.body && s.status === 0);
      expect(accepted, message.body).toHaveLength(1);
    }
    // Each answer names the id the SMSC gave that message's one accepted submit.
    const ids = [...results, ...retried].flatMap((r) => (r.status === 'sent' ? [r.providerMessageId] : []));
    expect(new Set(ids).size).toBe(5);
  });

  it('narrows the window to one submit at a time after a throttle, for throttleBackoffMs', async () => {
    const p = connect({ windowSize: 8, throttleBackoffMs: 400 });
    smsc.throttleNext(1);
    expect((await p.send(sms('x'))).status).toBe('retryable');
    const hold = smsc.holdResponses();
    const sending = p.sendBatch!(['a', 'b', 'c', 'd'].map((b) => sms(b)));
    await new Promise((r) => setTimeout(r, 100));
    expect(smsc.submits).toHaveLength(2); // the throttled one and one in the narrowed window
    hold.release();
    await sending;
  });

  it('sendBatch pipelines submits inside the window and answers in order', async () => {
    const p = connect({ windowSize: 10 });
    await p.send(sms('warm up'));
    const hold = smsc.holdResponses();
    const batch = Array.from({ length: 25 }, (_, i) => sms(`message ${i}`));
    const sending = p.sendBatch!(batch);
    await smsc.until(() => smsc.submits.length === 11);
    await new Promise((r) => setTimeout(r, 100));
    expect(smsc.submits).toHaveLength(11); // 10 outstanding, no more
    hold.release();
    const results = await sending;
    expect(results.every((r) => r.status === 'sent')).toBe(true);
    expect(smsc.submits.slice(1).map((s) => s.text)).toEqual(batch.map((m) => m.body));
    expect(results.map((r) => r.status === 'sent' && r.providerMessageId)).toEqual(smsc.submits.slice(1).map((s) => s.messageId));
  });
});
