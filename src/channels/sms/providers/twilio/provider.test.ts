import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../core/clock.js';
import type { SmsMessage, SmsProvider } from '../../provider.js';
import { createTwilioProvider } from './provider.js';
import { startTwilioServer, type TwilioTestServer } from './server.testkit.js';

let server: TwilioTestServer;
let provider: SmsProvider;

function sms(to: string, extra: Partial<SmsMessage> = {}): SmsMessage {
  return { recordId: 'msg_1', idempotencyKey: 'run:1:step:1', to, from: '+15005550006', body: 'مرحبا سارة، طلبك جاهز', encoding: 'ucs2', segments: 1, ...extra };
}

beforeAll(async () => {
  server = await startTwilioServer();
  provider = createTwilioProvider({ accountSid: server.accountSid, authToken: server.authToken, baseUrl: server.baseUrl, allowPrivateOutbound: true, timeoutMs: 2000 });
});
afterAll(async () => {
  await provider.close();
  await server.close();
});
beforeEach(() => {
  server.received.length = 0;
  server.failures.clear();
});

describe('the Twilio-compatible provider', () => {
  it('creates a message form-encoded with Basic auth and answers the SM sid Twilio gave', async () => {
    const result = await provider.send(sms('+966501234567', { statusCallbackUrl: 'https://qatra.example/hooks/sms/twilio/prv_1/status' }));
    expect(result).toEqual({ status: 'sent', providerMessageId: expect.stringMatching(/^SM[0-9a-f]{32}$/) });
    expect(server.received).toHaveLength(1);
    expect(server.received[0]!.sid).toBe((result as { providerMessageId: string }).providerMessageId);
    expect(server.received[0]!.params).toEqual({
      To: '+966501234567',
      From: '+15005550006',
      Body: 'مرحبا سارة، طلبك جاهز',
      StatusCallback: 'https://qatra.example/hooks/sms/twilio/prv_1/status',
    });
  });

  it('sends through a Messaging Service instead of a From number when given one', async () => {
    const viaService = createTwilioProvider({ accountSid: server.accountSid, authToken: server.authToken, baseUrl: server.baseUrl, messagingServiceSid: 'MG0123', allowPrivateOutbound: true });
    expect(await viaService.send(sms('+15005550001', { body: 'a & b = c+d' }))).toMatchObject({ status: 'sent' });
    await viaService.close();
    expect(server.received[0]!.params).toEqual({ To: '+15005550001', MessagingServiceSid: 'MG0123', Body: 'a & b = c+d' });
  });

  it('keeps its connection alive: many sends, one TCP connection', async () => {
    const fresh = await startTwilioServer();
    const p = createTwilioProvider({ accountSid: fresh.accountSid, authToken: fresh.authToken, baseUrl: fresh.baseUrl, allowPrivateOutbound: true });
    for (let i = 0; i < 20; i += 1) expect(await p.send(sms(`+1500555${String(i).padStart(4, '0')}`))).toMatchObject({ status: 'sent' });
    expect(fresh.received).toHaveLength(20);
    expect(fresh.connections).toBe(1);
    await p.close();
    await fresh.close();
  });

  it('maps number-level errors to permanent with invalidNumber (21211 invalid, 21614 not a mobile)', async () => {
    server.failures.set('+15005550001', { kind: 'error', code: 21211 });
    server.failures.set('+15005550009', { kind: 'error', code: 21614 });
    expect(await provider.send(sms('+15005550001'))).toEqual({ status: 'permanent', reason: expect.stringContaining('21211'), code: '21211', invalidNumber: true });
    expect(await provider.send(sms('+15005550009'))).toEqual({ status: 'permanent', reason: expect.stringContaining('21614'), code: '21614', invalidNumber: true });
  });

  it('maps account- and sender-level errors (21408 region, 21606 From, 21610 STOP at the carrier, an unlisted 4xx) to permanent, without invalidNumber', async () => {
    for (const code of [21408, 21606, 21610]) {
      server.failures.set('+15005550002', { kind: 'error', code });
      const result = await provider.send(sms('+15005550002'));
      expect(result, String(code)).toEqual({ status: 'permanent', reason: expect.stringContaining(String(code)), code: String(code) });
    }
    server.failures.set('+15005550002', { kind: 'error', code: 21999 });
    expect(await provider.send(sms('+15005550002'))).toEqual({ status: 'permanent', reason: 'HTTP 400 (Twilio 21999): error 21999', code: '21999' });
    server.failures.set('+15005550002', { kind: 'http', status: 404 });
    expect(await provider.send(sms('+15005550002'))).toEqual({ status: 'permanent', reason: 'HTTP 404' });
  });

  it('maps 429 (20429) to retryable honouring Retry-After, in seconds or as an HTTP date on the injected clock', async () => {
    server.failures.set('+15005550003', { kind: 'http', status: 429, retryAfter: '7' });
    expect(await provider.send(sms('+15005550003'))).toEqual({ status: 'retryable', reason: expect.stringContaining('20429'), code: '20429', retryAfterMs: 7000 });
    const clock = new ManualClock(Date.UTC(2026, 0, 5, 12, 0, 0));
    const timed = createTwilioProvider({ accountSid: server.accountSid, authToken: server.authToken, baseUrl: server.baseUrl, allowPrivateOutbound: true, clock });
    server.failures.set('+15005550003', { kind: 'http', status: 429, retryAfter: 'Mon, 05 Jan 2026 12:01:30 GMT' });
    expect(await timed.send(sms('+15005550003'))).toMatchObject({ status: 'retryable', retryAfterMs: 90_000 });
    await timed.close();
  });

  it('maps 5xx, a dropped connection, a timeout and a closed port to retryable', async () => {
    server.failures.set('+15005550004', { kind: 'http', status: 503, retryAfter: '2' });
    expect(await provider.send(sms('+15005550004'))).toEqual({ status: 'retryable', reason: 'HTTP 503', retryAfterMs: 2000 });
    server.failures.set('+15005550004', { kind: 'http', status: 500 });
    expect(await provider.send(sms('+15005550004'))).toEqual({ status: 'retryable', reason: 'HTTP 500' });
    server.failures.set('+15005550004', { kind: 'drop' });
    expect(await provider.send(sms('+15005550004'))).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/^connection failed/) });
    server.failures.set('+15005550004', { kind: 'hang' });
    const impatient = createTwilioProvider({ accountSid: server.accountSid, authToken: server.authToken, baseUrl: server.baseUrl, allowPrivateOutbound: true, timeoutMs: 150 });
    expect(await impatient.send(sms('+15005550004'))).toEqual({ status: 'retryable', reason: 'timeout after 150 ms' });
    await impatient.close();
    const closed = createTwilioProvider({ accountSid: 'AC1', authToken: 't', baseUrl: 'http://127.0.0.1:1', allowPrivateOutbound: true });
    expect(await closed.send(sms('+15005550004'))).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/^connection failed/) });
    await closed.close();
    // After the failures, the same provider still sends.
    expect(await provider.send(sms('+15005550005'))).toMatchObject({ status: 'sent' });
  });

  it('treats refused credentials (401, 20003) as retryable, saying so', async () => {
    const wrong = createTwilioProvider({ accountSid: server.accountSid, authToken: 'not-the-token', baseUrl: server.baseUrl, allowPrivateOutbound: true });
    expect(await wrong.send(sms('+15005550006'))).toEqual({ status: 'retryable', reason: expect.stringContaining('credentials refused'), code: '20003' });
    await wrong.close();
    expect(server.received[0]!.sid).toBeNull();
  });

  it('refuses a base URL on a loopback or private address unless allowPrivateOutbound, without connecting', async () => {
    const port = new URL(server.baseUrl).port;
    for (const baseUrl of [server.baseUrl, `http://localhost:${port}`, `http://[::ffff:127.0.0.1]:${port}`, 'http://169.254.169.254']) {
      const guarded = createTwilioProvider({ accountSid: server.accountSid, authToken: server.authToken, baseUrl });
      expect(await guarded.send(sms('+15005550007')), baseUrl).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/private, loopback or link-local/) });
      await guarded.close();
    }
    expect(server.received).toHaveLength(0);
  });

  it('refuses missing credentials and a base URL that is not http(s), naming the option', () => {
    expect(() => createTwilioProvider({ accountSid: '', authToken: 't' })).toThrow(expect.objectContaining({ issues: [{ path: 'accountSid', message: 'required' }] }));
    expect(() => createTwilioProvider({ accountSid: 'AC1', authToken: '' })).toThrow(expect.objectContaining({ issues: [{ path: 'authToken', message: 'required' }] }));
    for (const baseUrl of ['ftp://api.example', 'not a url', 'https://api.example/?x=1']) {
      expect(() => createTwilioProvider({ accountSid: 'AC1', authToken: 't', baseUrl }), baseUrl).toThrow(expect.objectContaining({ issues: [expect.objectContaining({ path: 'baseUrl' })] }));
    }
  });

  it('carries hostile values safely: message fields only in the form body, the token only base64 in the header', async () => {
    const odd = createTwilioProvider({ accountSid: server.accountSid, authToken: 'تو\u0000ken', baseUrl: server.baseUrl, allowPrivateOutbound: true });
    expect(await odd.send(sms('+15005550010', { from: 'قطرة\r\nX: 1' }))).toMatchObject({ status: 'retryable', code: '20003' });
    await odd.close();
    expect(server.received[0]!.params.From).toBe('قطرة\r\nX: 1');
  });

  it('does not resend a 2xx without a sid: it may have been sent', async () => {
    // The test server answers 201 with a sid; a 200 with an empty JSON body stands for a broken compatible API.
    server.failures.set('+15005550008', { kind: 'http', status: 200 });
    expect(await provider.send(sms('+15005550008'))).toEqual({ status: 'permanent', reason: 'HTTP 200 without a message sid: not retried, it may have been sent' });
  });
});
