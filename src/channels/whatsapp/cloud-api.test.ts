import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCloudApi } from './cloud-api.js';
import { startCloudApiServer, type CloudApiTestServer } from './cloud-api.testkit.js';

describe('the Cloud API client against the local Graph server', () => {
  let fake: CloudApiTestServer;
  beforeAll(async () => {
    fake = await startCloudApiServer({ templates: [{ name: 'otp', language: 'en_US', parameters: 1 }] });
  });
  afterAll(async () => fake?.close());

  const api = (token = fake.accessToken) => createCloudApi({ accessToken: token, phoneNumberId: fake.phoneNumberId, apiRoot: fake.apiRoot, allowPrivateOutbound: true });

  it('a refused access token (190, HTTP 401) is retryable and says what to fix', async () => {
    const a = api('EAAwrong');
    const r = await a.send('+966501234567', { type: 'template', name: 'otp', language: 'en_US', parameters: ['1'] });
    a.close();
    expect(r).toMatchObject({ status: 'retryable', code: 190 });
    expect((r as { reason: string }).reason).toMatch(/access token was refused/);
  });

  it('a WABA rate limit (80007) with Retry-After waits as told; a wrong parameter count (132000) is permanent', async () => {
    fake.failures.set('966501234568', { code: 80007, httpStatus: 429, retryAfter: '30', once: true });
    const a = api();
    const limited = await a.send('+966501234568', { type: 'template', name: 'otp', language: 'en_US', parameters: ['1'] });
    expect(limited).toMatchObject({ status: 'retryable', code: 80007, retryAfterMs: 30_000 });
    const wrong = await a.send('+966501234568', { type: 'template', name: 'otp', language: 'en_US', parameters: [] });
    expect(wrong).toMatchObject({ status: 'permanent', code: 132000 });
    // Free-form text the server refuses for want of a window (131047) is permanent too.
    const text = await a.send('+966501234569', { type: 'text', text: 'hi' });
    expect(text).toMatchObject({ status: 'permanent', code: 131047 });
    a.close();
  });

  it('an answer without a message id is permanent (it may have been sent: never retried)', async () => {
    const { classifyGraphAnswer } = await import('./cloud-api.js');
    expect(classifyGraphAnswer({ kind: 'answer', status: 200, headers: {}, body: Buffer.from('{"messages":[]}') }, 0)).toMatchObject({ status: 'permanent' });
    expect(classifyGraphAnswer({ kind: 'timeout', reason: 'timed out' }, 0)).toMatchObject({ status: 'retryable' });
    expect(classifyGraphAnswer({ kind: 'answer', status: 502, headers: {}, body: Buffer.from('<html>') }, 0)).toMatchObject({ status: 'retryable' });
  });
});
