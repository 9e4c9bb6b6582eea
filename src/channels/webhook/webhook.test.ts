import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, type TestDatabase } from '../../../test/backends.js';
import { ManualClock } from '../../core/clock.js';
import { toJson } from '../../core/json.js';
import { createWorkspace } from '../../workspaces/workspaces.js';
import type { SendRequest } from '../channel.js';
import { signBody, webhookChannel, webhookPost } from './webhook.js';
import { createContact } from '../../contacts/contacts.js';
import { defaultSignals } from '../../server/signal-sinks.js';
import type { Signals } from '../../events/signals.js';

let db: TestDatabase;
let deps: { store: TestDatabase['store']; signals: Signals; clock: ManualClock; config: { allowPrivateOutbound: boolean } };
/** Workspaces that allow private targets (the test server is on 127.0.0.1) and that do not. */
let allowing = '';
let guarded = '';

function request(url: string, extra: Record<string, unknown> = {}, workspaceId = allowing): SendRequest {
  return {
    workspaceId,
    contact: { id: 'ct_1', workspaceId: 'ws_1', userId: 'u1', email: 'a@example.com', phone: null, timezone: null, locale: null, attributes: {}, createdAt: 0, updatedAt: 0 },
    idempotencyKey: 'run:r:m1:1',
    config: { url, secret: 's3cret', ...extra },
    context: { journeyId: 'j', event: { cart_id: 'c1' } },
    kind: 'marketing',
  };
}

beforeAll(async () => {
  db = await freshDatabase('sqlite');
  // The operator allows private targets (QATRA_ALLOW_PRIVATE_OUTBOUND); `allowing` opts in, `guarded` does not.
  deps = { store: db.store, signals: defaultSignals(db.store), clock: new ManualClock(1_700_000_000_000), config: { allowPrivateOutbound: true } };
  allowing = (await createWorkspace(deps, { name: 'allows private targets' })).id;
  guarded = (await createWorkspace(deps, { name: 'default' })).id;
  await db.store.db
    .updateTable('workspaces')
    .set({ settings: toJson({ allowPrivateWebhookTargets: true }) })
    .where('id', '=', allowing)
    .execute();
});
afterAll(async () => db?.drop());

describe('the webhook channel', () => {
  let server: http.Server;
  let base: string;
  let last: { headers: http.IncomingHttpHeaders; body: string } | null = null;
  let posts = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        last = { headers: req.headers, body };
        posts++;
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

  it('through the channel, a webhook send is a message record (channel webhook) that answers its key once', async () => {
    const contact = await createContact(deps, allowing, { email: 'hook@example.com' });
    const ch = webhookChannel(deps);
    const send = { ...request(base), contact, idempotencyKey: 'run:r:hook:1' };
    expect((await ch.send(send)).status).toBe('sent');
    const before = posts;
    expect((await ch.send(send)).status).toBe('sent');
    expect(posts).toBe(before);
    const row = await db.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', 'run:r:hook:1').executeTakeFirstOrThrow();
    expect(row).toMatchObject({ channel: 'webhook', status: 'sent', provider: 'webhook', to_address: base, contact_id: contact.id });
  });

  it('POSTs {contact, context} signed with HMAC-SHA256 of the body, with timestamp and idempotency key', async () => {
    const result = await webhookPost(deps)(request(base));
    expect(result).toEqual({ status: 'sent', providerMessageId: 'prov-1', detail: { httpStatus: 200 } });
    expect(last!.headers['x-qatra-signature']).toBe(signBody(last!.body, 's3cret'));
    expect(last!.headers['x-qatra-timestamp']).toBe('1700000000000');
    expect(last!.headers['idempotency-key']).toBe('run:r:m1:1');
    expect(JSON.parse(last!.body)).toMatchObject({ contact: { id: 'ct_1', email: 'a@example.com' }, context: { event: { cart_id: 'c1' } } });
  });

  it('classifies answers: 5xx and 429 retryable (Retry-After honoured), 4xx permanent, a timeout retryable', async () => {
    const ch = { send: webhookPost(deps) };
    expect(await ch.send(request(`${base}?status=503`))).toEqual({ status: 'retryable', reason: 'HTTP 503' });
    expect(await ch.send(request(`${base}?status=429`))).toEqual({ status: 'retryable', reason: 'HTTP 429', retryAfterMs: 7000 });
    expect(await ch.send(request(`${base}?status=410`))).toEqual({ status: 'permanent', reason: 'HTTP 410' });
    expect(await ch.send(request(`${base}?status=0`, { timeoutMs: 200 }))).toEqual({ status: 'retryable', reason: 'timeout after 200 ms' });
    expect(await ch.send(request('ftp://example.com'))).toMatchObject({ status: 'permanent' });
    expect(await ch.send(request('http://127.0.0.1:1/closed'))).toMatchObject({ status: 'retryable' });
  });
});

describe('the webhook channel refuses private targets unless the workspace allows them', () => {
  let server: http.Server;
  let port = 0;
  let hits = 0;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      hits += 1;
      const to = new URL(req.url!, 'http://x').searchParams.get('to');
      res.writeHead(to ? 302 : 200, to ? { location: to } : {});
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((r) => server.close(() => r()));
  });

  it('refuses loopback, private, link-local and IPv4-mapped IPv6 literals and names resolving to them, without connecting', async () => {
    const ch = { send: webhookPost(deps) };
    const targets = [
      `http://127.0.0.1:${port}/`,
      `http://localhost:${port}/`, // a name: resolved, then every address checked
      `http://[::1]:${port}/`,
      `http://[::ffff:127.0.0.1]:${port}/`,
      `http://[::ffff:7f00:1]:${port}/`,
      `http://2130706433:${port}/`, // 127.0.0.1 as one number
      'http://169.254.169.254/latest/meta-data/',
      'http://10.1.2.3/',
      'http://192.168.0.1/',
      'http://172.20.0.1/',
      'http://[fe80::1]/',
      'http://[fd00::1]/',
      'http://0.0.0.0/',
    ];
    for (const url of targets) {
      const result = await ch.send(request(url, {}, guarded));
      expect(result, url).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/private, loopback or link-local/) });
    }
    expect(hits).toBe(0);
  });

  it('the allow setting lets the same targets through', async () => {
    const ch = { send: webhookPost(deps) };
    const before = hits;
    expect(await ch.send(request(`http://localhost:${port}/`))).toMatchObject({ status: 'sent' });
    expect(await ch.send(request(`http://127.0.0.1:${port}/`))).toMatchObject({ status: 'sent' });
    expect(hits).toBe(before + 2);
  });

  it('the workspace setting alone opens nothing while the operator has not allowed private targets', async () => {
    const ch = { send: webhookPost({ ...deps, config: { allowPrivateOutbound: false } }) };
    const before = hits;
    for (const url of [`http://localhost:${port}/`, `http://127.0.0.1:${port}/`]) {
      expect(await ch.send(request(url)), url).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/private, loopback or link-local/) });
    }
    expect(hits).toBe(before);
  });

  it('does not follow redirects (a public target could redirect to a private one)', async () => {
    const result = await webhookPost(deps)(request(`http://127.0.0.1:${port}/?to=${encodeURIComponent('http://169.254.169.254/')}`));
    expect(result).toEqual({ status: 'permanent', reason: 'HTTP 302' });
  });
});
