import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpstreamError } from '../core/errors.js';
import { chatCompletion, type ChatRequest } from './client.js';
import { startChatServer, type ChatServer } from './chat-server.testkit.js';

describe('chatCompletion against a local chat-completions server', () => {
  let server: ChatServer;
  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(async () => server?.close());

  const request = (over: Partial<ChatRequest> = {}): ChatRequest => ({
    baseUrl: server.baseUrl,
    model: 'qwen-local',
    apiKey: 'sk-test',
    messages: [{ role: 'user', content: 'hi' }],
    timeoutMs: 2000,
    maxAnswerBytes: 64 * 1024,
    allowPrivate: true,
    ...over,
  });

  const failure = async (req: ChatRequest): Promise<UpstreamError> => {
    const err = await chatCompletion(req).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(UpstreamError);
    return err as UpstreamError;
  };

  it('posts the model and messages with the bearer key and returns the first choice', async () => {
    server.reply({ content: 'hello back' });
    expect(await chatCompletion(request())).toBe('hello back');
    const call = server.calls.at(-1)!;
    expect(call.path).toBe('/v1/chat/completions');
    expect(call.authorization).toBe('Bearer sk-test');
    expect(call.body).toMatchObject({ model: 'qwen-local', messages: [{ role: 'user', content: 'hi' }], stream: false });
    await chatCompletion(request({ apiKey: null, baseUrl: `${server.baseUrl}/` }));
    expect(server.calls.at(-1)!.authorization).toBeUndefined();
  });

  it('says "key refused" for 401 and 403, not retryable', async () => {
    for (const status of [401, 403]) {
      server.reply({ status, body: '{"error":{"message":"Incorrect API key provided"}}' });
      const err = await failure(request());
      expect(err).toMatchObject({ code: 'assistant_key_refused', retryable: false });
      expect(err.message).toMatch(/refused the API key/);
    }
  });

  it('calls 429, 5xx and 408 retryable, with the status in the message', async () => {
    for (const status of [429, 500, 502, 503, 408]) {
      server.reply({ status, body: '{"error":{"message":"busy"}}' });
      const err = await failure(request());
      expect(err, String(status)).toMatchObject({ code: 'assistant_unavailable', retryable: true });
      expect(err.message).toContain(String(status));
      expect(err.message).toMatch(/try again/);
    }
  });

  it('gives up after the timeout with a retryable error', async () => {
    server.reply({ hang: true });
    const started = Date.now();
    const err = await failure(request({ timeoutMs: 300 }));
    expect(err).toMatchObject({ code: 'assistant_unavailable', retryable: true });
    expect(err.message).toMatch(/within 300 ms/);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('refuses an answer over the size limit, a body that is not JSON, and JSON without a choice', async () => {
    server.reply({ content: 'x'.repeat(5000) });
    expect(await failure(request({ maxAnswerBytes: 1000 }))).toMatchObject({ code: 'assistant_bad_answer', message: expect.stringMatching(/larger than 1000 bytes/) });
    server.reply({ status: 200, body: '<html>proxy login</html>' });
    expect(await failure(request())).toMatchObject({ code: 'assistant_bad_answer', message: expect.stringMatching(/not JSON/) });
    server.reply({ status: 200, body: '{"choices":[]}' });
    expect(await failure(request())).toMatchObject({ code: 'assistant_bad_answer' });
    server.reply({ status: 404, body: '{"error":{"message":"model qwen-local not found"}}' });
    expect(await failure(request())).toMatchObject({ code: 'assistant_bad_answer', message: expect.stringMatching(/404.*model qwen-local not found/) });
  });

  it('refuses a loopback endpoint unless private endpoints are allowed, and names a closed port as unreachable', async () => {
    const before = server.calls.length;
    expect(await failure(request({ allowPrivate: false }))).toMatchObject({ code: 'assistant_private_endpoint', retryable: false });
    expect(await failure(request({ allowPrivate: false, baseUrl: server.baseUrl.replace('127.0.0.1', 'localhost') }))).toMatchObject({ code: 'assistant_private_endpoint' });
    expect(server.calls.length).toBe(before);
    expect(await failure(request({ baseUrl: 'http://127.0.0.1:1/v1' }))).toMatchObject({ code: 'assistant_unavailable', message: expect.stringMatching(/ECONNREFUSED/) });
  });
});
