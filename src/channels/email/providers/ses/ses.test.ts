import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/backends.js';
import { ManualClock } from '../../../../core/clock.js';
import { findMessage } from '../../../../messages/records.js';
import { suppressionsOf } from '../../../../suppression/suppressions.js';
import { emailKit, type EmailKit } from '../../test-kit.js';
import { startHookApp } from '../esp/fake-server.testkit.js';
import { espEmailSettings, sampleEmail } from '../esp/sample.testkit.js';
import { createSesProvider } from './ses.js';
import { sesEvent, startSesFake, TEST_REGION, TEST_TOPIC, type SesFake } from './ses.testkit.js';

describe('the ses provider against the SES v2 test server', () => {
  let fake: SesFake;
  const clock = new ManualClock();
  beforeAll(async () => {
    fake = await startSesFake(() => clock.now());
  });
  afterAll(async () => fake?.close());

  const provider = (secretAccessKey = fake.secretAccessKey, timeoutMs?: number) =>
    createSesProvider(
      { clock, allowPrivateOutbound: true, ...(timeoutMs ? { timeoutMs } : {}) },
      espEmailSettings({ kind: 'ses', region: TEST_REGION, baseUrl: fake.baseUrl, accessKeyId: fake.accessKeyId, topicArns: [], configurationSet: 'qatra' }),
      { esp: { secretAccessKey } },
    );

  it('sends the raw MIME message base64 in Content.Raw.Data, SigV4-signed, with our record id as the qatra_message_id tag', async () => {
    const p = provider();
    const result = await p.send(sampleEmail('raw@example.org'));
    expect(result).toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^0102018c[0-9a-f]{32}-000000$/) });
    const req = fake.received.at(-1)!;
    expect(req.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIAQATRATESTKEY0001\/20260105\/eu-west-1\/ses\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      Destination: { ToAddresses: ['raw@example.org'] },
      EmailTags: [{ Name: 'qatra_message_id', Value: 'msg_01hzzzzzzzzzzzzzzzzzzzzzzz' }],
      ConfigurationSetName: 'qatra',
    });
    const raw = Buffer.from(body.Content.Raw.Data, 'base64').toString('utf8');
    expect(raw).toContain('Message-ID: <abc.0123456789abcdef0123@news.example.com>\r\n');
    expect(raw).toContain('List-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n');
    await p.close();
  });

  it('maps SES errors: rejected → permanent; throttling, paused sending, a wrong key, 5xx, a dropped or hung connection → retryable', async () => {
    fake.failures.set('rejected@example.org', { status: 400, type: 'MessageRejected', message: 'Email address is not verified.' });
    fake.failures.set('throttled@example.org', { status: 429, type: 'TooManyRequestsException', message: 'Maximum sending rate exceeded.' });
    fake.failures.set('paused@example.org', { status: 400, type: 'SendingPausedException', message: 'Sending is paused for this account.' });
    fake.failures.set('broken@example.org', { status: 500, type: 'InternalFailure', message: 'internal' });
    fake.failures.set('drop@example.org', 'drop');
    fake.failures.set('hang@example.org', 'hang');
    const p = provider();
    expect(await p.send(sampleEmail('rejected@example.org'))).toEqual({ status: 'permanent', reason: 'ses HTTP 400: MessageRejected: Email address is not verified.' });
    expect(await p.send(sampleEmail('throttled@example.org'))).toMatchObject({ status: 'retryable', reason: expect.stringContaining('TooManyRequestsException') });
    expect(await p.send(sampleEmail('paused@example.org'))).toMatchObject({ status: 'retryable', reason: expect.stringContaining('SendingPausedException') });
    expect(await p.send(sampleEmail('broken@example.org'))).toMatchObject({ status: 'retryable' });
    expect(await p.send(sampleEmail('drop@example.org'))).toMatchObject({ status: 'retryable', reason: expect.stringContaining('connection failed') });
    const wrongKey = provider('not-the-secret');
    expect(await wrongKey.send(sampleEmail('ok@example.org'))).toMatchObject({ status: 'retryable', reason: expect.stringContaining('InvalidSignatureException') });
    const slow = provider(fake.secretAccessKey, 300);
    expect(await slow.send(sampleEmail('hang@example.org'))).toEqual({ status: 'retryable', reason: 'ses: timeout after 300 ms' });
    expect(await p.send({ ...sampleEmail('x@example.org'), to: { address: 'a@example.org, b@example.org' } })).toMatchObject({ status: 'permanent' });
    await Promise.all([p.close(), wrongKey.close(), slow.close()]);
  });
});

describe.each(backends())('SES events through SNS on %s', (kind) => {
  let k: EmailKit;
  let fake: SesFake;
  let hooks: Awaited<ReturnType<typeof startHookApp>>;
  let n = 0;
  let url: string;
  beforeAll(async () => {
    k = await emailKit(kind);
    fake = await startSesFake(() => k.h.clock.now());
    await k.configure({
      provider: 'ses',
      esp: { kind: 'ses', region: TEST_REGION, baseUrl: fake.baseUrl, accessKeyId: fake.accessKeyId, secretAccessKey: fake.secretAccessKey, topicArns: [TEST_TOPIC] },
    });
    hooks = await startHookApp(k.h.deps, { snsTrust: fake.trust });
    url = hooks.url('ses', k.t.workspaceId);
  });
  afterAll(async () => {
    await hooks?.close();
    await fake?.close();
    await k?.close();
  });

  async function sent(email: string) {
    const c = await k.contact(email);
    const key = `ses:${++n}`;
    expect((await k.send(c, { template: 'welcome-1', key })).status).toBe('sent');
    const row = await k.h.deps.store.db.selectFrom('messages').select(['id', 'provider_message_id']).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    return { id: row.id, sesMessageId: row.provider_message_id!, to: email };
  }
  const events = (contactId: string) => k.h.deps.store.db.selectFrom('events').select(['name', 'properties']).where('contact_id', '=', contactId).orderBy('id').execute();

  it('a journey email goes out through SES, DKIM-signed, and its provider id is recorded', async () => {
    const m = await sent('ses-send@example.org');
    expect(m.sesMessageId).toMatch(/^0102018c/);
    const raw = Buffer.from(JSON.parse(fake.received.at(-1)!.body).Content.Raw.Data, 'base64').toString('utf8');
    expect(raw).toMatch(/^DKIM-Signature: v=1; a=rsa-sha256; c=relaxed\/relaxed; d=news\.example\.com;/m);
    expect(raw).toMatch(/^List-Unsubscribe: <https:\/\/q\.example\.com\/u\//m);
  });

  it('a permanent bounce (SignatureVersion 1) suppresses the address once; a complaint (SignatureVersion 2) by SES message id withdraws consent', async () => {
    const m = await sent('ses-bounce@example.org');
    const res = await fake.notify(url, sesEvent('Bounce', { recordId: m.id, sesMessageId: m.sesMessageId, to: m.to }), { signatureVersion: '1' });
    expect(res).toEqual({ status: 200, body: JSON.stringify({ applied: 1, duplicate: 0, ignored: 0, unmatched: 0 }) });
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('bounced');
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => [s.reason, s.source])).toEqual([['hard_bounce', 'ses']]);
    // SNS delivers at least once: the same event in a new SNS message is a duplicate.
    expect(JSON.parse((await fake.notify(url, sesEvent('Bounce', { recordId: m.id, sesMessageId: m.sesMessageId, to: m.to }))).body)).toMatchObject({ applied: 0, duplicate: 1 });

    const c = await sent('ses-complaint@example.org');
    expect((await fake.notify(url, sesEvent('Complaint', { sesMessageId: c.sesMessageId, to: c.to }), { signatureVersion: '2' })).status).toBe(200);
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, c.to)).map((s) => s.reason)).toEqual(['complaint']);
    const msg = (await findMessage(k.h.deps.store.db, c.id))!;
    const consent = await k.h.deps.store.db.selectFrom('consents').selectAll().where('contact_id', '=', msg.contactId).executeTakeFirstOrThrow();
    expect(consent).toMatchObject({ channel: 'email', status: 'unsubscribed', source: 'complaint:ses' });
  });

  it('delivery, open and click become events; a delivery delay is ignored', async () => {
    const m = await sent('ses-engaged@example.org');
    const ids = { recordId: m.id, sesMessageId: m.sesMessageId, to: m.to };
    for (const type of ['Delivery', 'Open', 'Click', 'DeliveryDelay'] as const) expect((await fake.notify(url, sesEvent(type, ids))).status).toBe(200);
    const contactId = (await findMessage(k.h.deps.store.db, m.id))!.contactId;
    const names = (await events(contactId)).map((e) => e.name).filter((name) => name.startsWith('email.'));
    expect(names).toEqual(['email.delivered', 'email.opened', 'email.clicked']);
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('sent');
  });

  it('a forged signature, an untrusted certificate host, another topic, an old or replayed message: 403 and nothing changed', async () => {
    const m = await sent('ses-forged@example.org');
    const event = JSON.stringify(sesEvent('Bounce', { recordId: m.id, sesMessageId: m.sesMessageId, to: m.to }));
    const forged = fake.snsMessage('Notification', event);
    forged.Message = forged.Message.replace('Permanent', 'Transient');
    expect((await fake.post(url, forged)).status).toBe(403);
    const elsewhere = fake.snsMessage('Notification', event, { certUrl: 'http://evil.example.net/SimpleNotificationService-test.pem' });
    const res = await fake.post(url, elsewhere);
    expect(res.status).toBe(403);
    expect(res.body).toContain('untrusted SigningCertURL');
    expect((await fake.post(url, fake.snsMessage('Notification', event, { topicArn: 'arn:aws:sns:eu-west-1:123456789012:someone-else' }))).status).toBe(403);
    expect((await fake.post(url, fake.snsMessage('Notification', event, { timestamp: new Date(k.h.clock.now() - 2 * 3600_000).toISOString() }))).status).toBe(403);
    expect((await fake.post(url, { ...fake.snsMessage('Notification', event), SignatureVersion: '3' })).status).toBe(403);
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('sent');
    expect(await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).toEqual([]);
    // The genuine message is applied once; the same SNS message again is a replay.
    const genuine = fake.snsMessage('Notification', event, { signatureVersion: '2' });
    expect((await fake.post(url, genuine)).status).toBe(200);
    expect((await fake.post(url, genuine)).status).toBe(403);
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => s.reason)).toEqual(['hard_bounce']);
  });

  it('a subscription confirmation is verified and its SubscribeURL visited; an unsigned one is not', async () => {
    const before = fake.confirmations.length;
    const unsigned = { ...fake.snsMessage('SubscriptionConfirmation', 'confirm'), Signature: 'AAAA' };
    expect((await fake.post(url, unsigned)).status).toBe(403);
    expect(fake.confirmations.length).toBe(before);
    expect((await fake.confirmation(url)).status).toBe(200);
    expect(fake.confirmations.slice(before)).toEqual([expect.stringMatching(/^\/confirm\?Action=ConfirmSubscription&Token=[0-9a-f]{32}$/)]);
  });

  it('a workspace whose provider is not SES refuses SES webhooks', async () => {
    const other = await k.h.tenant();
    expect((await fake.notify(hooks.url('ses', other.workspaceId), sesEvent('Delivery', { sesMessageId: 'x', to: 'a@example.org' }))).status).toBe(403);
  });
});
