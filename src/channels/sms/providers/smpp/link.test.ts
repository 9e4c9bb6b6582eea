import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { analyzeSms } from '../../encoding.js';
import type { SmsMessage, SmsProvider } from '../../provider.js';
import { createSmppProvider, type SmppOptions } from './index.js';
import { recordingEvents, recordingLog, startTestSmsc, type TestSmsc } from './server.testkit.js';

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
  provider = createSmppProvider(
    { host: '127.0.0.1', port: smsc.port, systemId: 'qatra', password: 'secret', submitTimeoutMs: 2_000, reconnectMinMs: 50, reconnectMaxMs: 400, ...options },
    recordingEvents(),
  );
  return provider;
}

let seq = 0;
function sms(body: string): SmsMessage {
  const { encoding, segments } = analyzeSms(body);
  seq++;
  return { recordId: `r${seq}`, idempotencyKey: `k${seq}`, to: '+966501234567', from: 'Qatra', body, encoding, segments };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('smpp bind', () => {
  it('a wrong password answers retryable with the bind failure as the reason, and logs it', async () => {
    const log = recordingLog();
    const result = await connect({ password: 'wrong', submitTimeoutMs: 300, log }).send(sms('hello'));
    expect(result).toMatchObject({ status: 'retryable', code: 'ESME_RINVPASWD' });
    expect(result.status === 'retryable' && result.reason).toMatch(/not bound to the SMSC within 300 ms \(bind_transceiver refused: ESME_RINVPASWD \(0x0e\)\)/);
    expect(log.lines.some((l) => l.startsWith('warn smpp: bind_transceiver refused: ESME_RINVPASWD'))).toBe(true);
    expect(smsc.binds.accepted).toBe(0);
    expect(smsc.submits).toHaveLength(0);
  });

  it('a refused bind is retried with back-off doubling up to the maximum, and binds once the SMSC accepts', async () => {
    smsc.refuseBinds(0x0d); // ESME_RBINDFAIL
    const p = connect({ reconnectMinMs: 40, reconnectMaxMs: 160 });
    await smsc.until(() => smsc.binds.refused >= 6);
    const gaps = smsc.bindTimes.slice(1, 6).map((t, i) => t - smsc.bindTimes[i]!);
    // 40, 80, 160, 160, 160 ms (plus connection set-up); timers never fire much early.
    [40, 80, 160, 160, 160].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 5));
    expect(gaps[4]).toBeLessThan(500); // doubling without the cap would wait 640 ms
    smsc.acceptBinds();
    expect(await p.send(sms('now bound'))).toMatchObject({ status: 'sent' });
  });
});

describe('smpp keep-alive', () => {
  it('sends enquire_link when idle and answers the SMSC’s enquire_link', async () => {
    const p = connect({ enquireLinkMs: 60 });
    await p.send(sms('hello'));
    await smsc.until(() => smsc.enquireLinks >= 2);
    await smsc.sendEnquireLink(); // resolves on the provider's enquire_link_resp
    expect(smsc.binds.accepted).toBe(1);
  });

  it('answers the SMSC’s unbind, then binds again', async () => {
    const p = connect();
    await p.send(sms('hello'));
    expect(await smsc.sendUnbind()).toBe(0);
    await smsc.until(() => smsc.binds.accepted >= 2);
    expect(await p.send(sms('after'))).toMatchObject({ status: 'sent' });
  });

  it('drops a link whose enquire_link goes unanswered, and binds again', async () => {
    const p = connect({ enquireLinkMs: 50 });
    await p.send(sms('hello'));
    smsc.ignoreEnquireLink(true);
    await smsc.until(() => smsc.binds.accepted >= 2);
    smsc.ignoreEnquireLink(false);
    expect(await p.send(sms('after'))).toMatchObject({ status: 'sent' });
  });
});

describe('smpp reconnect', () => {
  it('a bind dropped mid-batch: answered submits are sent, unanswered ones retryable; it rebinds after the back-off and the retries are sent, each message accepted once', async () => {
    const p = connect({ windowSize: 10, reconnectMinMs: 100 });
    await p.send(sms('warm up'));
    smsc.dropAfterSubmits(4);
    const batch = Array.from({ length: 10 }, (_, i) => sms(`batch message ${i}`));
    const results = await p.sendBatch!(batch);
    const droppedAt = performance.now();
    const sent = results.filter((r) => r.status === 'sent');
    expect(sent).toHaveLength(4);
    expect(results.slice(0, 4).every((r) => r.status === 'sent')).toBe(true);
    for (const r of results.slice(4)) expect(r).toMatchObject({ status: 'retryable' });
    expect(results.slice(4).some((r) => r.status === 'retryable' && /dropped before the submit_sm_resp/.test(r.reason))).toBe(true);

    const retry = batch.filter((_, i) => results[i]!.status !== 'sent');
    const retried = await p.sendBatch!(retry);
    expect(retried.every((r) => r.status === 'sent')).toBe(true);
    expect(smsc.binds.accepted).toBe(2);
    expect(smsc.bindTimes[1]! - droppedAt).toBeGreaterThanOrEqual(100 - 50); // the back-off, less what the batch took to settle
    for (const message of batch)
      expect(
        smsc.submits.filter((s) => s.text === message.body && s.messageId !== null),
        message.body,
      ).toHaveLength(1);
  });

  it('a submit whose submit_sm_resp never came answers retryable, and the next send goes on the new bind', async () => {
    const p = connect();
    await p.send(sms('warm up'));
    smsc.dropOnNextSubmit();
    const lost = await p.send(sms('lost in flight'));
    expect(lost).toMatchObject({ status: 'retryable' });
    expect(lost.status === 'retryable' && lost.reason).toMatch(/SMPP link dropped before the submit_sm_resp came/);
    expect(smsc.submits.at(-1)).toMatchObject({ text: 'lost in flight', status: null });
    expect(await p.send(sms('next'))).toMatchObject({ status: 'sent' });
  });

  it('a submit the SMSC never answers answers retryable after submitTimeoutMs', async () => {
    const p = connect({ submitTimeoutMs: 200 });
    await p.send(sms('warm up'));
    const hold = smsc.holdResponses();
    const result = await p.send(sms('slow'));
    expect(result).toMatchObject({ status: 'retryable', reason: 'no submit_sm_resp within 200 ms' });
    hold.release();
  });

  it('sends made while disconnected wait for the bind and then go', async () => {
    const p = connect({ reconnectMinMs: 80 });
    await p.send(sms('warm up'));
    smsc.dropAll();
    await sleep(10);
    const results = await p.sendBatch!([sms('while down 1'), sms('while down 2')]);
    expect(results.map((r) => r.status)).toEqual(['sent', 'sent']);
    expect(smsc.binds.accepted).toBe(2);
  });

  it('sends made while the SMSC stays away answer retryable after submitTimeoutMs', async () => {
    const p = connect({ submitTimeoutMs: 200 });
    await p.send(sms('warm up'));
    smsc.refuseBinds(0x0d);
    smsc.dropAll();
    await sleep(20);
    const started = performance.now();
    const result = await p.send(sms('nobody home'));
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
    expect(result).toMatchObject({ status: 'retryable', code: 'ESME_RBINDFAIL' });
  });
});

describe('smpp hostile SMSC', () => {
  it('a PDU the package cannot parse (command_length past its 16 KB limit) ends that link; it binds again and sends go on', async () => {
    const p = connect();
    await p.send(sms('before'));
    const header = Buffer.alloc(16);
    header.writeUInt32BE(1_000_000, 0);
    header.writeUInt32BE(0x00000005, 4); // deliver_sm
    smsc.sendRaw(header);
    await smsc.until(() => smsc.binds.accepted >= 2);
    expect(await p.send(sms('after'))).toMatchObject({ status: 'sent' });
  });
});

describe('smpp close', () => {
  it('close() unbinds and ends the connection, leaves no timers or sockets, and later sends answer retryable', async () => {
    const before = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    const p = connect({ enquireLinkMs: 50 });
    await p.send(sms('hello'));
    await p.close();
    expect(smsc.unbinds).toBe(1);
    await sleep(20);
    const after = process.getActiveResourcesInfo().filter((r) => r === 'TCPSocketWrap' || r === 'Timeout').length;
    expect(after).toBeLessThanOrEqual(before);
    expect(await p.send(sms('too late'))).toMatchObject({ status: 'retryable', reason: 'the SMPP provider is closed' });
    provider = null;
  });
});
