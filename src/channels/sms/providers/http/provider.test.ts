import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../../../core/errors.js';
import type { SmsMessage } from '../../provider.js';
import { createHttpProvider } from './provider.js';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: string;
}

let server: http.Server;
let base = '';
let connections = 0;
const seen: Seen[] = [];
/** The next answers: status, body, headers; or 'hang' (never answers). */
let answers: Array<{ status: number; body?: string; headers?: Record<string, string> } | 'hang'> = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      const answer = answers.shift() ?? { status: 200, body: JSON.stringify({ data: { id: `agg-${seen.length}` } }) };
      if (answer === 'hang') return;
      res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
      res.end(answer.body ?? '');
    });
  });
  server.on('connection', () => (connections += 1));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});
beforeEach(() => {
  seen.length = 0;
  answers = [];
});

const hostileBody = 'Hi "Sara" \\o/ & = ?\nمرحبا، رمزك 1234 — {{to}}';
function sms(extra: Partial<SmsMessage> = {}): SmsMessage {
  return { recordId: 'msg_1', idempotencyKey: 'k1', to: '+966501234567', from: 'Qatra-AD', body: hostileBody, encoding: 'ucs2', segments: 2, ...extra };
}

const jsonSettings = (extra: Record<string, unknown> = {}) => ({
  url: `${base}/api/sms`,
  headers: { 'X-Api-Key': 'k-123' },
  bodyTemplate: '{"msisdn":"{{to}}","sender":"{{ from }}","text":"{{body}}","ref":"{{id}}","parts":{{segments}}}',
  idPath: 'data.id',
  ...extra,
});

describe('the generic HTTP provider', () => {
  it('POSTs a JSON template with every value escaped for JSON, and reads the id at idPath', async () => {
    const p = createHttpProvider({ settings: jsonSettings(), allowPrivateOutbound: true });
    expect(await p.send(sms())).toEqual({ status: 'sent', providerMessageId: 'agg-1' });
    await p.close();
    expect(seen[0]!.method).toBe('POST');
    expect(seen[0]!.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(seen[0]!.headers['x-api-key']).toBe('k-123');
    // A placeholder inside a value is text, not a placeholder.
    expect(JSON.parse(seen[0]!.body)).toEqual({ msisdn: '+966501234567', sender: 'Qatra-AD', text: hostileBody, ref: 'msg_1', parts: 2 });
  });

  it('POSTs a form template with every value percent-encoded', async () => {
    const p = createHttpProvider({
      settings: { url: `${base}/send`, contentType: 'form', bodyTemplate: 'to={{to}}&from={{from}}&text={{body}}&dlr={{statusCallbackUrl}}' },
      allowPrivateOutbound: true,
    });
    expect(await p.send(sms({ statusCallbackUrl: 'https://q.example/h?a=1&b=2' }))).toEqual({ status: 'sent', providerMessageId: 'msg_1' });
    await p.close();
    expect(seen[0]!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(seen[0]!.body))).toEqual({ to: '+966501234567', from: 'Qatra-AD', text: hostileBody, dlr: 'https://q.example/h?a=1&b=2' });
  });

  it('GETs with the values percent-encoded into the query, no body, and reads an id inside an array', async () => {
    answers = [{ status: 200, body: JSON.stringify({ messages: [{ id: 42 }] }) }];
    const p = createHttpProvider({ settings: { url: `${base}/api/send?to={{to}}&text={{body}}&user=me`, method: 'GET', idPath: 'messages.0.id' }, allowPrivateOutbound: true });
    expect(await p.send(sms())).toEqual({ status: 'sent', providerMessageId: '42' });
    await p.close();
    expect(seen[0]!.method).toBe('GET');
    expect(seen[0]!.body).toBe('');
    const query = new URL(seen[0]!.url, base).searchParams;
    expect([query.get('to'), query.get('text'), query.get('user')]).toEqual(['+966501234567', hostileBody, 'me']);
  });

  it('keeps its connection alive across sends', async () => {
    const before = connections;
    const p = createHttpProvider({ settings: jsonSettings(), allowPrivateOutbound: true });
    for (let i = 0; i < 10; i += 1) expect(await p.send(sms())).toMatchObject({ status: 'sent' });
    await p.close();
    expect(connections - before).toBe(1);
  });

  it('maps 4xx, 3xx and unlisted 2xx to permanent; 429 and 5xx to retryable with Retry-After; a 200 without the id to permanent', async () => {
    const p = createHttpProvider({ settings: jsonSettings({ successStatuses: [200] }), allowPrivateOutbound: true });
    answers = [
      { status: 400, body: '{"error":"invalid msisdn"}' },
      { status: 302, headers: { location: 'http://169.254.169.254/' } },
      { status: 202 },
      { status: 429, headers: { 'retry-after': '30' } },
      { status: 503 },
      { status: 408 },
      { status: 200, body: '{"status":"error","message":"insufficient balance"}' },
      { status: 200, body: 'OK' },
    ];
    expect(await p.send(sms())).toEqual({ status: 'permanent', reason: 'HTTP 400: {"error":"invalid msisdn"}' });
    expect(await p.send(sms())).toEqual({ status: 'permanent', reason: 'HTTP 302' });
    expect(await p.send(sms())).toEqual({ status: 'permanent', reason: 'HTTP 202' });
    expect(await p.send(sms())).toEqual({ status: 'retryable', reason: 'HTTP 429', retryAfterMs: 30_000 });
    expect(await p.send(sms())).toEqual({ status: 'retryable', reason: 'HTTP 503' });
    expect(await p.send(sms())).toEqual({ status: 'retryable', reason: 'HTTP 408' });
    expect(await p.send(sms())).toEqual({ status: 'permanent', reason: 'HTTP 200 without an id at data.id: not retried, it may have been sent' });
    expect(await p.send(sms())).toMatchObject({ status: 'permanent', reason: expect.stringContaining('without an id') });
    await p.close();
    expect(seen).toHaveLength(8); // the redirect was not followed
  });

  it('maps a timeout and a refused connection to retryable', async () => {
    answers = ['hang'];
    const slow = createHttpProvider({ settings: jsonSettings({ timeoutMs: 150 }), allowPrivateOutbound: true });
    expect(await slow.send(sms())).toEqual({ status: 'retryable', reason: 'timeout after 150 ms' });
    await slow.close();
    const closed = createHttpProvider({ settings: jsonSettings({ url: 'http://127.0.0.1:1/x' }), allowPrivateOutbound: true });
    expect(await closed.send(sms())).toMatchObject({ status: 'retryable', reason: expect.stringMatching(/^connection failed/) });
    await closed.close();
  });

  it('refuses a loopback or private URL unless allowPrivateOutbound, without connecting', async () => {
    const port = new URL(base).port;
    for (const url of [`${base}/x`, `http://localhost:${port}/x`, 'http://10.0.0.1/x', 'http://[fd00::1]/x']) {
      const p = createHttpProvider({ settings: jsonSettings({ url }) });
      expect(await p.send(sms()), url).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/private, loopback or link-local/) });
      await p.close();
    }
    expect(seen).toHaveLength(0);
  });
});

describe('the generic HTTP provider settings', () => {
  const refused = (settings: Record<string, unknown>): Array<{ path: string; message: string }> => {
    try {
      createHttpProvider({ settings });
    } catch (err) {
      expect(err).toBeInstanceOf(ValidationError);
      return (err as ValidationError).issues;
    }
    throw new Error('accepted');
  };

  it('are refused with the field path: bad URL, placeholder in the host, unknown placeholder, JSON that breaks once filled in', () => {
    expect(refused(jsonSettings({ url: 'ftp://x.example/' }))).toEqual([{ path: 'settings.url', message: expect.stringContaining('http(s) URL') }]);
    expect(refused(jsonSettings({ url: 'https://{{to}}.evil.example/' }))).toEqual([{ path: 'settings.url', message: expect.stringContaining('host') }]);
    expect(refused(jsonSettings({ url: 'https://api.example{{body}}/x' }))).toEqual([{ path: 'settings.url', message: expect.stringContaining('host') }]);
    expect(refused(jsonSettings({ bodyTemplate: '{"to":"{{phone}}"}' }))).toEqual([{ path: 'settings.bodyTemplate', message: expect.stringContaining('unknown placeholder {{phone}}') }]);
    expect(refused(jsonSettings({ bodyTemplate: '{"to":"{{ to_number }}","x":"{{}}"}' }))).toEqual([
      { path: 'settings.bodyTemplate', message: expect.stringMatching(/^unknown placeholder \{\{to_number\}\}, \{\{\}\} \(known: to, from, body/) },
    ]);
    expect(refused(jsonSettings({ bodyTemplate: '{"text":{{body}}}' }))).toEqual([{ path: 'settings.bodyTemplate', message: expect.stringContaining('not valid JSON') }]);
    expect(refused(jsonSettings({ bodyTemplate: undefined }))).toEqual([{ path: 'settings.bodyTemplate', message: 'required when method is POST' }]);
    expect(refused(jsonSettings({ method: 'GET' }))).toEqual([{ path: 'settings.bodyTemplate', message: expect.stringContaining('GET has no body') }]);
  });

  it('are refused for headers that would change the framing or smuggle a line, and for wrong types', () => {
    expect(refused(jsonSettings({ headers: { 'Content-Length': '1' } }))).toEqual([{ path: 'settings.headers.Content-Length', message: expect.any(String) }]);
    expect(refused(jsonSettings({ headers: { 'X-A': 'مفتاح' } }))).toEqual([{ path: 'settings.headers.X-A', message: expect.stringContaining('Latin-1') }]);
    expect(refused(jsonSettings({ headers: { 'X-A': 'v\r\nX-Injected: 1' } }))).toEqual([{ path: 'settings.headers.X-A', message: expect.stringContaining('line breaks') }]);
    expect(refused(jsonSettings({ method: 'PUT', successStatuses: [500], idPath: 'a..b' })).map((i) => i.path)).toEqual(['settings.method', 'settings.idPath', 'settings.successStatuses.0']);
    expect(refused({}).map((i) => i.path)).toEqual(['settings.url']);
  });
});
