import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../core/clock.js';
import type { Store } from '../../store/store.js';
import type { SendRequest } from '../channel.js';
import { signBody, webhookChannel } from './webhook.js';

// The channel reads the workspace secret only when config.secret is absent; these tests always give one.
const deps = { store: {} as Store, clock: new ManualClock(1_700_000_000_000) };

function request(url: string, extra: Record<string, unknown> = {}): SendRequest {
  return {
    workspaceId: 'ws_1',
    contact: { id: 'ct_1', workspaceId: 'ws_1', userId: 'u1', email: 'a@example.com', phone: null, timezone: null, locale: null, attributes: {}, createdAt: 0, updatedAt: 0 },
    idempotencyKey: 'run:r:m1:1',
    config: { url, secret: 's3cret', ...extra },
    context: { journeyId: 'j', event: { cart_id: 'c1' } },
    kind: 'marketing',
  };
}

describe('the webhook channel', () => {
  let server: http.Server;
  let base: string;
  let last: { headers: http.IncomingHttpHeaders; body: string } | null = null;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        last = { headers: req.headers, body };
        const status = Number(new URL(req.url!, 'http://x').searchParams.get('status') ?? 200);
        if (status === 0) return; // never answers: the client times out
        res.writeHead(status, status === 429 ? { 'retry-after': '7' } : { 'x-message-id': 'prov-1' });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('POSTs {contact, context} signed with HMAC-SHA256 of the body, with timestamp and idempotency key', async () => {
    const result = await webhookChannel(deps).send(request(base));
    expect(result).toEqual({ status: 'sent', providerMessageId: 'prov-1', detail: { httpStatus: 200 } });
    expect(last!.headers['x-qatra-signature']).toBe(signBody(last!.body, 's3cret'));
    expect(last!.headers['x-qatra-timestamp']).toBe('1700000000000');
    expect(last!.headers['idempotency-key']).toBe('run:r:m1:1');
    expect(JSON.parse(last!.body)).toMatchObject({ contact: { id: 'ct_1', email: 'a@example.com' }, context: { event: { cart_id: 'c1' } } });
  });

  it('classifies answers: 5xx and 429 retryable (Retry-After honoured), 4xx permanent, a timeout retryable', async () => {
    const ch = webhookChannel(deps);
    expect(await ch.send(request(`${base}?status=503`))).toEqual({ status: 'retryable', reason: 'HTTP 503' });
    expect(await ch.send(request(`${base}?status=429`))).toEqual({ status: 'retryable', reason: 'HTTP 429', retryAfterMs: 7000 });
    expect(await ch.send(request(`${base}?status=410`))).toEqual({ status: 'permanent', reason: 'HTTP 410' });
    expect(await ch.send(request(`${base}?status=0`, { timeoutMs: 200 }))).toEqual({ status: 'retryable', reason: 'timeout after 200 ms' });
    expect(await ch.send(request('ftp://example.com'))).toMatchObject({ status: 'permanent' });
    expect(await ch.send(request('http://127.0.0.1:1/closed'))).toMatchObject({ status: 'retryable' });
  });
});
