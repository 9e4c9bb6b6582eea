import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerText, createOutboundClient, outboundRequest, retryAfterMs } from './outbound-http.js';

let server: http.Server;
let base: string;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/big') return res.end('x'.repeat(10_000));
    if (req.url === '/hang') return; // never answers
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => res.setHeader('retry-after', '7').end(`${req.method} ${body}`));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const open = { allowPrivate: true, timeoutMs: 2000, maxAnswerBytes: 1024 };

describe('outbound HTTP through the address guard', () => {
  it('sends the body and reads the answer, on a fresh connection or a kept-alive client', async () => {
    const once = await outboundRequest(new URL(`${base}/echo`), { method: 'POST', body: 'hello' }, open);
    expect(once).toMatchObject({ kind: 'answer', status: 200 });
    expect(once.kind === 'answer' && answerText(once)).toBe('POST hello');
    const client = createOutboundClient(open);
    const pooled = await client.request(new URL(`${base}/echo`), { method: 'PUT', body: Buffer.from('bytes') });
    expect(pooled.kind === 'answer' && answerText(pooled)).toBe('PUT bytes');
    client.close();
  });

  it('refuses private IP literals before connecting, naming what allows them, unless allowed', async () => {
    const refused = await outboundRequest(new URL('http://[::1]:1/'), { method: 'GET' }, { ...open, allowPrivate: false, allowedBy: 'the magic switch' });
    expect(refused).toMatchObject({ kind: 'private', reason: expect.stringContaining('the magic switch') });
    expect(await outboundRequest(new URL('http://127.0.0.1:1/'), { method: 'GET' }, open)).toMatchObject({ kind: 'network' });
  });

  it('refuses a name that resolves to loopback in the socket lookup, and checks the name by resolving it, not by its spelling', async () => {
    const refused = await outboundRequest(new URL(`http://localhost:1/`), { method: 'GET' }, { ...open, allowPrivate: false });
    expect(refused).toMatchObject({ kind: 'private', reason: expect.stringContaining('localhost') });
    // A name is not an address: it is looked up (and here does not exist), never refused unresolved.
    const unknown = await outboundRequest(new URL(`http://qatra-no-such-host.invalid/`), { method: 'GET' }, { ...open, allowPrivate: false });
    expect(unknown).toMatchObject({ kind: 'network', reason: expect.stringContaining('ENOTFOUND') });
  });

  it('cuts a long answer at the limit, or fails it when asked to', async () => {
    const cut = await outboundRequest(new URL(`${base}/big`), { method: 'GET' }, open);
    expect(cut.kind === 'answer' && cut.body.length).toBe(1024);
    expect(await outboundRequest(new URL(`${base}/big`), { method: 'GET' }, { ...open, oversize: 'fail' })).toMatchObject({ kind: 'too_large' });
  });

  it('gives up after the timeout', async () => {
    expect(await outboundRequest(new URL(`${base}/hang`), { method: 'GET' }, { ...open, timeoutMs: 100 })).toMatchObject({ kind: 'timeout', reason: 'timeout after 100 ms' });
  });

  it('answers a failure, never throws, when Node refuses to build the request, or the URL is not http(s)', async () => {
    expect(await outboundRequest(new URL(`${base}/`), { method: 'POST', headers: { 'x-key': 'ā' }, body: '' }, open)).toMatchObject({
      kind: 'invalid',
      reason: expect.stringContaining('request refused'),
    });
    expect(await outboundRequest(new URL('file:///etc/passwd'), { method: 'GET' }, open)).toMatchObject({ kind: 'invalid' });
  });

  it('reads Retry-After as seconds or as an HTTP date against the given time', () => {
    expect(retryAfterMs('120', 0)).toBe(120_000);
    expect(retryAfterMs('Mon, 05 Jan 2026 12:00:10 GMT', Date.UTC(2026, 0, 5, 12, 0, 0))).toBe(10_000);
    expect(retryAfterMs('Mon, 05 Jan 2026 11:00:00 GMT', Date.UTC(2026, 0, 5, 12, 0, 0))).toBe(0);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});
