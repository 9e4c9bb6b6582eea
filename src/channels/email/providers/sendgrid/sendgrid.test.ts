import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../../../test/backends.js';
import { SignalTap } from '../../../../../test/signal-tap.js';
import { ManualClock } from '../../../../core/clock.js';
import { fromJson } from '../../../../core/json.js';
import { findMessage } from '../../../../messages/records.js';
import { suppressionsOf } from '../../../../suppression/suppressions.js';
import { emailKit, type EmailKit } from '../../test-kit.js';
import { startHookApp } from '../esp/fake-server.testkit.js';
import { espEmailSettings, sampleEmail } from '../esp/sample.testkit.js';
import { createSendgridProvider } from './sendgrid.js';
import { sendgridEvent, startSendgridFake, type SendgridFake } from './sendgrid.testkit.js';

describe('the sendgrid provider against the SendGrid test server', () => {
  let fake: SendgridFake;
  const clock = new ManualClock();
  beforeAll(async () => {
    fake = await startSendgridFake();
  });
  afterAll(async () => fake?.close());
  const provider = (apiKey = fake.apiKey) => createSendgridProvider({ clock, allowPrivateOutbound: true }, espEmailSettings({ kind: 'sendgrid', baseUrl: fake.baseUrl }), { esp: { apiKey } });

  it('sends with the bearer key, our headers, the record id as a custom arg and its own tracking off', async () => {
    const p = provider();
    expect(await p.send(sampleEmail('sg@example.org'))).toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^[A-Za-z0-9_-]{15}$/) });
    const body = JSON.parse(fake.received.at(-1)!.body);
    expect(body).toMatchObject({
      personalizations: [{ to: [{ email: 'sg@example.org' }], custom_args: { qatra_message_id: 'msg_01hzzzzzzzzzzzzzzzzzzzzzzz' } }],
      from: { email: 'hello@news.example.com', name: 'Acme "News"' },
      headers: { 'Message-ID': '<abc.0123456789abcdef0123@news.example.com>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
      tracking_settings: { click_tracking: { enable: false }, open_tracking: { enable: false } },
    });
    await p.close();
  });

  it('maps SendGrid errors: 400 and 413 → permanent; a revoked key, 429, 500 → retryable', async () => {
    fake.failures.set('big@example.org', { status: 413, message: 'Payload too large' });
    fake.failures.set('busy@example.org', { status: 429, message: 'too many requests' });
    fake.failures.set('down@example.org', { status: 500, message: 'internal' });
    const p = provider();
    expect(await p.send({ ...sampleEmail('x@example.org'), subject: '' })).toEqual({ status: 'permanent', reason: 'sendgrid HTTP 400: subject: The subject is required.' });
    expect(await p.send(sampleEmail('big@example.org'))).toMatchObject({ status: 'permanent' });
    expect(await p.send(sampleEmail('busy@example.org'))).toMatchObject({ status: 'retryable' });
    expect(await p.send(sampleEmail('down@example.org'))).toMatchObject({ status: 'retryable' });
    const revoked = provider('SG.revoked');
    expect(await revoked.send(sampleEmail('ok@example.org'))).toMatchObject({ status: 'retryable', reason: expect.stringContaining('401') });
    await Promise.all([p.close(), revoked.close()]);
  });
});

describe.each(backends())('SendGrid signed event webhook on %s', (kind) => {
  let k: EmailKit;
  let fake: SendgridFake;
  let hooks: Awaited<ReturnType<typeof startHookApp>>;
  let url: string;
  let n = 0;
  const now = () => Math.floor(k.h.clock.now() / 1000);
  const tap = new SignalTap();
  beforeAll(async () => {
    k = await emailKit(kind, { extraSinks: [tap] });
    fake = await startSendgridFake();
    await k.configure({ provider: 'sendgrid', esp: { kind: 'sendgrid', baseUrl: fake.baseUrl, apiKey: fake.apiKey, webhookPublicKey: fake.publicKey } });
    hooks = await startHookApp(k.h.deps);
    url = hooks.url('sendgrid', k.t.workspaceId);
  });
  afterAll(async () => {
    await hooks?.close();
    await fake?.close();
    await k?.close();
  });

  async function sent(email: string) {
    const c = await k.contact(email);
    const key = `sg:${++n}`;
    expect((await k.send(c, { template: 'welcome-1', key })).status).toBe('sent');
    const row = await k.h.deps.store.db.selectFrom('messages').select(['id', 'provider_message_id', 'contact_id']).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
    return { id: row.id, sgMessageId: row.provider_message_id!, to: email, contactId: row.contact_id };
  }
  const emailEvents = (contactId: string) =>
    k.h.deps.store.db.selectFrom('events').select(['name', 'properties']).where('contact_id', '=', contactId).where('name', 'like', 'email.%').orderBy('id').execute();

  it('a signed batch applies each event once: delivered, a machine open, a click, a bounce; the same batch again is a replay', async () => {
    const m = await sent('sg-batch@example.org');
    const ids = { recordId: m.id, sgMessageId: m.sgMessageId, to: m.to };
    const batch = [
      sendgridEvent('processed', ids),
      sendgridEvent('delivered', ids),
      sendgridEvent('open', ids, { sg_machine_open: true, useragent: 'Mozilla/5.0' }),
      sendgridEvent('click', ids, { url: 'https://shop.example.com/' }),
      // Named by sg_message_id only.
      sendgridEvent('bounce', { sgMessageId: m.sgMessageId, to: m.to }, { type: 'bounce', status: '5.1.1', reason: '550 5.1.1 user unknown' }),
    ];
    const captured = { timestamp: now(), body: JSON.stringify(batch) };
    const signature = fake.signature(captured.timestamp, captured.body);
    const res = await fake.postEvents(url, batch, { ...captured, signature });
    expect(res).toEqual({ status: 200, body: JSON.stringify({ applied: 4, duplicate: 0, ignored: 0, unmatched: 0 }) });
    const events = await emailEvents(m.contactId);
    expect(events.map((e) => e.name)).toEqual(['email.delivered', 'email.opened', 'email.clicked', 'email.bounced']);
    expect(fromJson(events[1]!.properties)).toMatchObject({ machine: true, source: 'sendgrid' });
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => s.reason)).toEqual(['hard_bounce']);
    // The captured request again, as it was or with its signature re-signed (ECDSA signatures are not unique): a replay.
    expect((await fake.postEvents(url, batch, { ...captured, signature })).status).toBe(403);
    expect((await fake.postEvents(url, batch, { ...captured, signature: fake.signature(captured.timestamp, captured.body) })).status).toBe(403);
    // Re-signed (SendGrid's retry): applied again, every event a duplicate.
    k.h.clock.advance(1000);
    expect(JSON.parse((await fake.postEvents(url, batch, { timestamp: now() })).body)).toMatchObject({ applied: 0, duplicate: 4 });
  });

  it('a machine open is recorded but emits no signal (it fires no goal); a human open does', async () => {
    const m = await sent('sg-mpp@example.org');
    const ids = { recordId: m.id, sgMessageId: m.sgMessageId, to: m.to };
    const seen = tap.collect((s) => s.kind === 'event' && s.event.name === 'email.opened');
    expect((await fake.postEvents(url, [sendgridEvent('open', ids, { sg_machine_open: true })], { timestamp: now() })).status).toBe(200);
    expect(seen).toEqual([]);
    k.h.clock.advance(60_000);
    expect((await fake.postEvents(url, [sendgridEvent('open', ids, { sg_machine_open: false, timestamp: now() })], { timestamp: now() })).status).toBe(200);
    tap.stop();
    expect(seen).toHaveLength(1);
    expect((await emailEvents(m.contactId)).filter((e) => e.name === 'email.opened')).toHaveLength(2);
  });

  it('a spam report suppresses and withdraws consent; a dropped bounced address is a hard bounce', async () => {
    const m = await sent('sg-angry@example.org');
    const d = await sent('sg-dropped@example.org');
    const res = await fake.postEvents(
      url,
      [
        sendgridEvent('spamreport', { recordId: m.id, sgMessageId: m.sgMessageId, to: m.to }),
        sendgridEvent('dropped', { recordId: d.id, sgMessageId: d.sgMessageId, to: d.to }, { reason: 'Bounced Address' }),
      ],
      { timestamp: now() },
    );
    expect(res.status).toBe(200);
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).map((s) => s.reason)).toEqual(['complaint']);
    expect((await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, d.to)).map((s) => s.reason)).toEqual(['hard_bounce']);
  });

  it('a bad or missing signature, a tampered body, an old or future timestamp: 403 and nothing changed', async () => {
    const m = await sent('sg-forged@example.org');
    const batch = [sendgridEvent('bounce', { recordId: m.id, sgMessageId: m.sgMessageId, to: m.to }, { type: 'bounce' })];
    const body = JSON.stringify(batch);
    const t = now();
    expect((await fake.postEvents(url, batch, { timestamp: t, signature: fake.signature(t, body.replace('bounce', 'blocked')) })).status).toBe(403);
    expect((await fake.postEvents(url, batch, { timestamp: t, signature: '' })).status).toBe(403);
    expect((await fake.postEvents(url, batch, { timestamp: t, signature: fake.signature(t, body), body: body.replace('"bounce"', '"delivered"') })).status).toBe(403);
    expect((await fake.postEvents(url, batch, { timestamp: t - 600 })).status).toBe(403);
    expect((await fake.postEvents(url, batch, { timestamp: t + 600 })).status).toBe(403);
    expect((await findMessage(k.h.deps.store.db, m.id))!.status).toBe('sent');
    expect(await suppressionsOf(k.h.deps.store.db, k.t.workspaceId, m.to)).toEqual([]);
  });

  it('a signed body that is not an array of events is a 400, nothing applied', async () => {
    const res = await fake.postEvents(url, [], { timestamp: now(), body: '{"event":"bounce"}' });
    expect(res.status).toBe(400);
  });
});
