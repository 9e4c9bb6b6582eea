import Fastify, { type FastifyRequest } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { installErrorHandler } from '../../../../api/error-handler.js';
import { createMetrics } from '../../../../metrics/metrics.js';
import type { SmsInbound, SmsReceipt } from '../../provider.js';
import { createTwilioProvider } from './provider.js';
import { twilioHookRoutes, TWILIO_HOOK_BODY_LIMIT } from './routes.js';
import { startTwilioServer, type TwilioTestServer } from './server.testkit.js';
import { twilioSignature } from './signature.js';

// Twilio is told to call the public URL; the test reaches the same server at 127.0.0.1.
const PUBLIC_URL = 'https://qatra.example';
let twilio: TwilioTestServer;
let app: ReturnType<typeof Fastify>;
let local = '';
const receipts: Array<[string, string, SmsReceipt]> = [];
const inbound: Array<[string, string, SmsInbound]> = [];

const publicHook = (providerId: string, kind: 'status' | 'inbound') => `${PUBLIC_URL}/hooks/sms/twilio/${providerId}/${kind}`;
const localHook = (providerId: string, kind: 'status' | 'inbound') => `${local}/hooks/sms/twilio/${providerId}/${kind}`;

beforeAll(async () => {
  twilio = await startTwilioServer();
  app = Fastify().withTypeProvider<ZodTypeProvider>() as unknown as ReturnType<typeof Fastify>;
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandler(app as never, createMetrics());
  // An app-wide form parser without a limit that drops the fields: the routes must use their own.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1_000_000 }, (_req: FastifyRequest, _body: string, done: (err: Error | null, body?: unknown) => void) =>
    done(null, {}),
  );
  await app.register(
    twilioHookRoutes({
      publicUrl: PUBLIC_URL,
      resolve: (providerId) => (providerId === 'prv_tw' ? { workspaceId: 'ws_1', authToken: twilio.authToken } : null),
      onReceipt: (workspaceId, providerId, receipt) => void receipts.push([workspaceId, providerId, receipt]),
      onInbound: (workspaceId, providerId, message) => void inbound.push([workspaceId, providerId, message]),
    }),
  );
  await app.listen({ port: 0, host: '127.0.0.1' });
  local = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await app.close();
  await twilio.close();
});
beforeEach(() => {
  receipts.length = 0;
  inbound.length = 0;
});

const status = { AccountSid: 'AC1', MessageSid: 'SM0123', MessageStatus: 'delivered', To: '+966501234567', From: '+15005550006' };

describe('the Twilio hook routes', () => {
  it('hand a signed StatusCallback of a message sent through the provider to onReceipt (the real signature path, end to end)', async () => {
    const provider = createTwilioProvider({ accountSid: twilio.accountSid, authToken: twilio.authToken, baseUrl: twilio.baseUrl, allowPrivateOutbound: true });
    const sent = await provider.send({
      recordId: 'msg_1',
      idempotencyKey: 'k1',
      to: '+966501234567',
      from: '+15005550006',
      body: 'مرحبا',
      encoding: 'ucs2',
      segments: 1,
      statusCallbackUrl: publicHook('prv_tw', 'status'),
    });
    await provider.close();
    const sid = (sent as { providerMessageId: string }).providerMessageId;
    const answer = await twilio.reportStatus(sid, 'undelivered', { errorCode: '30006', postTo: localHook('prv_tw', 'status') });
    expect(answer.status).toBe(200);
    expect(receipts).toEqual([['ws_1', 'prv_tw', { providerMessageId: sid, status: 'undelivered', errorCode: '30006', invalidNumber: true }]]);
  });

  it('sign over the public URL (config.publicUrl + path), not the Host the request came to', async () => {
    const hostSigned = await twilio.postStatus(localHook('prv_tw', 'status'), status);
    expect(hostSigned.status).toBe(403);
    expect(receipts).toHaveLength(0);
    const publicSigned = await twilio.postStatus(localHook('prv_tw', 'status'), status, { signedUrl: publicHook('prv_tw', 'status') });
    expect(publicSigned.status).toBe(200);
    expect(receipts).toHaveLength(1);
  });

  it('answer 403 and hand nothing on for a missing, wrong or other-token signature, or an unknown provider', async () => {
    const signedUrl = publicHook('prv_tw', 'status');
    expect((await twilio.postStatus(localHook('prv_tw', 'status'), status, { signedUrl, signWith: null })).status).toBe(403);
    expect((await twilio.postStatus(localHook('prv_tw', 'status'), status, { signedUrl, signWith: 'another-token' })).status).toBe(403);
    expect((await twilio.postInbound(localHook('prv_tw', 'inbound'), { From: '+15005550001', To: '+15005550006', Body: 'STOP' }, { signWith: null })).status).toBe(403);
    expect((await twilio.postStatus(localHook('prv_other', 'status'), status, { signedUrl: publicHook('prv_other', 'status') })).status).toBe(403);
    // A valid signature for other parameters does not cover changed ones.
    const signature = twilioSignature(signedUrl, status, twilio.authToken);
    const tampered = await app.inject({
      method: 'POST',
      url: '/hooks/sms/twilio/prv_tw/status',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature },
      payload: new URLSearchParams({ ...status, MessageStatus: 'failed' }).toString(),
    });
    expect(tampered.statusCode).toBe(403);
    expect(tampered.json()).toMatchObject({ error: { code: 'forbidden' } });
    // JSON is not what Twilio sends: refused before anything else.
    const json = await app.inject({ method: 'POST', url: '/hooks/sms/twilio/prv_tw/status', headers: { 'x-twilio-signature': signature }, payload: status });
    expect(json.statusCode).toBe(403);
    expect(receipts).toHaveLength(0);
    expect(inbound).toHaveLength(0);
  });

  it('acknowledge interim statuses and receipts for unknown message ids: the former dropped, the latter handed on', async () => {
    const signedUrl = publicHook('prv_tw', 'status');
    expect((await twilio.postStatus(localHook('prv_tw', 'status'), { ...status, MessageStatus: 'queued' }, { signedUrl })).status).toBe(200);
    expect(receipts).toHaveLength(0);
    expect((await twilio.postStatus(localHook('prv_tw', 'status'), { ...status, MessageSid: 'SMunknown' }, { signedUrl })).status).toBe(200);
    expect(receipts).toEqual([['ws_1', 'prv_tw', { providerMessageId: 'SMunknown', status: 'delivered' }]]);
  });

  it('hand a signed inbound message to onInbound and answer empty TwiML', async () => {
    const params = { MessageSid: 'SMin1', AccountSid: 'AC1', From: '+989121234567', To: '+15005550006', Body: 'لغو', NumMedia: '0' };
    const answer = await twilio.postInbound(localHook('prv_tw', 'inbound'), params, { signedUrl: publicHook('prv_tw', 'inbound') });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/xml/);
    expect(answer.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
    expect(inbound).toEqual([['ws_1', 'prv_tw', { from: '+989121234567', to: '+15005550006', text: 'لغو', providerMessageId: 'SMin1' }]]);
  });

  it('verify a field sent more than once over all its values, as Twilio signs it', async () => {
    const body = 'MessageSid=SM9&MessageStatus=delivered&Tag=b&Tag=a&Tag=b';
    const signature = twilioSignature(publicHook('prv_tw', 'status'), { MessageSid: 'SM9', MessageStatus: 'delivered', Tag: ['b', 'a', 'b'] }, twilio.authToken);
    const post = (payload: string) =>
      app.inject({ method: 'POST', url: '/hooks/sms/twilio/prv_tw/status', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, payload });
    expect((await post(body)).statusCode).toBe(200);
    expect((await post('MessageSid=SM9&MessageStatus=delivered&Tag=b')).statusCode).toBe(403);
    expect(receipts).toEqual([['ws_1', 'prv_tw', { providerMessageId: 'SM9', status: 'delivered' }]]);
  });

  it('answer 400 with the field path for a signed inbound message without From', async () => {
    const answer = await twilio.postInbound(localHook('prv_tw', 'inbound'), { To: '+15005550006', Body: 'x' }, { signedUrl: publicHook('prv_tw', 'inbound') });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'validation_failed', issues: [{ path: 'body.From' }] } });
    expect(inbound).toHaveLength(0);
  });

  it('refuse a form over 16 KB with 400 before checking anything, and take hostile field names as plain fields', async () => {
    const big = { ...status, Body: 'x'.repeat(TWILIO_HOOK_BODY_LIMIT) };
    const answer = await twilio.postStatus(localHook('prv_tw', 'status'), big, { signedUrl: publicHook('prv_tw', 'status') });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ error: { code: 'payload_too_large' } });
    // JSON.parse makes `__proto__` an own field (an object literal would set the prototype instead).
    const hostile = { ...status, ...(JSON.parse('{"__proto__":"x","constructor":"y","toString":"z","MessageStatus":"failed"}') as Record<string, string>) };
    expect(Object.keys(hostile)).toContain('__proto__');
    const ok = await twilio.postStatus(localHook('prv_tw', 'status'), hostile, { signedUrl: publicHook('prv_tw', 'status') });
    expect(ok.status).toBe(200);
    expect(receipts).toEqual([['ws_1', 'prv_tw', { providerMessageId: 'SM0123', status: 'failed' }]]);
  });
});
