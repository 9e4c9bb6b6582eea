import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createContact } from '../../contacts/contacts.js';
import type { Contact } from '../../contacts/contact.js';
import { setConsent } from '../../consent/consent.js';
import { saveTemplates } from '../../templates/service.js';
import type { SendResult } from '../channel.js';
import { analyzeSms } from './encoding.js';
import { createSmsChannel, type SmsChannel } from './index.js';
import { putSmsSettings } from './settings.js';
import { startTwilioServer, type TwilioTestServer } from './providers/twilio/server.testkit.js';

const PUBLIC_URL = 'https://q.example.com';

describe.each(backends())('the SMS channel on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let channel: SmsChannel;
  let n = 0;

  beforeAll(async () => {
    h = await createHarness(kind, { publicUrl: PUBLIC_URL, allowPrivateOutbound: true });
    t = await h.tenant();
    await saveTemplates(
      h.deps,
      t.workspaceId,
      [
        {
          id: 'offer',
          name: 'Offer',
          channel: 'sms',
          kind: 'marketing',
          content: {
            body: 'Hi {{ contact.first_name }}, 20% off: https://shop.example.com/sale?c=1',
            locales: { ar: { body: 'مرحبا {{ contact.first_name }}، خصم ٢٠٪: https://shop.example.com/ar/sale' } },
          },
        },
        { id: 'otp', name: 'OTP', channel: 'sms', kind: 'transactional', content: { body: 'Your code is {{ data.code }}' } },
        { id: 'long', name: 'Long', channel: 'sms', kind: 'marketing', content: { body: '{{ data.text }}' } },
      ],
      'upsert',
    );
    channel = createSmsChannel(h.deps);
  });
  afterAll(async () => {
    await channel?.close();
    await h?.close();
  });

  async function contact(phone: string, options: { locale?: string; consent?: 'subscribed' | 'unsubscribed' | null } = {}): Promise<Contact> {
    const c = await createContact(h.deps, t.workspaceId, { phone, locale: options.locale ?? 'en', attributes: { first_name: 'Sara' } });
    if (options.consent !== null) await setConsent(h.deps, t.workspaceId, c.id, { channel: 'sms', topic: '', status: options.consent ?? 'subscribed', source: 'test' });
    return c;
  }
  const send = (c: Contact, template: string, kind: 'marketing' | 'transactional' = 'marketing', data: Record<string, string> = {}): Promise<SendResult> =>
    channel.send({ workspaceId: t.workspaceId, contact: c, idempotencyKey: `k${++n}`, config: { template }, context: { data }, kind });
  const record = (key: string) => h.deps.store.db.selectFrom('messages').selectAll().where('workspace_id', '=', t.workspaceId).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
  const outbox = (messageId: string) => h.deps.store.db.selectFrom('outbox').selectAll().where('message_id', '=', messageId).executeTakeFirstOrThrow();

  it('a marketing SMS in Arabic goes to the dev outbox with the Arabic opt-out line, a short signed link, and its UCS-2 segments recorded', async () => {
    const c = await contact('+966501234567', { locale: 'ar' });
    const result = await send(c, 'offer');
    expect(result.status).toBe('sent');
    const m = await record(`k${n}`);
    const row = await outbox(m.id);
    expect(row.channel).toBe('sms');
    expect(row.to_address).toBe('+966501234567');
    const text = row.text_body!;
    expect(text).toMatch(/^مرحبا Sara، خصم ٢٠٪: https:\/\/q\.example\.com\/s\/[0-9A-Za-z]{11}\n/);
    expect(text).toContain('STOP');
    expect(text).not.toContain('shop.example.com');
    const analysis = analyzeSms(text);
    expect(analysis.encoding).toBe('ucs2');
    expect(m).toMatchObject({ status: 'sent', channel: 'sms', to_address: '+966501234567', provider: 'outbox' });
    expect(Number(m.segments)).toBe(analysis.segments);

    // The short link redirects to what the SMS really contained, once counted; a forged one is a 404.
    const token = /\/s\/([0-9A-Za-z]{11})/.exec(text)![1]!;
    const click = await h.app.inject({ method: 'GET', url: `/s/${token}` });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.com/ar/sale');
    expect(Number((await record(`k${n}`)).click_count)).toBe(1);
    const forged = token.slice(0, 8) + (token.slice(8) === 'AAA' ? 'BBB' : 'AAA');
    expect((await h.app.inject({ method: 'GET', url: `/s/${forged}` })).statusCode).toBe(404);
  });

  it('marketing needs explicit SMS consent; a STOP stops marketing at once while transactional SMS still go', async () => {
    const unknown = await contact('+966501234568', { consent: null });
    expect(await send(unknown, 'offer')).toEqual({ status: 'skipped', reason: 'no sms consent' });

    const c = await contact('+966501234569');
    expect((await send(c, 'offer')).status).toBe('sent');
    await setConsent(h.deps, t.workspaceId, c.id, { channel: 'sms', topic: '', status: 'unsubscribed', source: 'sms_reply' });
    expect(await send(c, 'offer')).toEqual({ status: 'skipped', reason: 'unsubscribed from sms' });
    const otp = await send(c, 'otp', 'transactional', { code: '4821' });
    expect(otp.status).toBe('sent');
    expect((await outbox((await record(`k${n}`)).id)).text_body).toBe('Your code is 4821');
  });

  it('a number that is not a valid phone number is skipped with the reason; a message over the segment limit is refused', async () => {
    const bad = await contact('+966501234570');
    await h.deps.store.db.updateTable('contacts').set({ phone: '12' }).where('id', '=', bad.id).execute();
    const result = await send({ ...bad, phone: '12' }, 'offer');
    expect(result.status).toBe('skipped');
    expect((result as { reason: string }).reason).toMatch(/^invalid phone number/);

    await putSmsSettings(h.deps.store.db, t.workspaceId, { maxSegments: 2 }, h.clock);
    const c = await contact('+966501234571');
    const long = await send(c, 'long', 'marketing', { text: 'x'.repeat(400) });
    expect(long).toEqual({ status: 'permanent', reason: 'the SMS is 3 segments (gsm7); the workspace allows 2' });
    expect((await record(`k${n}`)).status).toBe('failed');
    await putSmsSettings(h.deps.store.db, t.workspaceId, {}, h.clock);
  });

  it("saving an SMS template whose written text is already over the workspace's segment limit is a 400 naming the variant", async () => {
    const arabic = 'مرحبا بكم في متجرنا، لدينا عروض رائعة لكم هذا الأسبوع على جميع المنتجات. '.repeat(6);
    const payload = { id: 'too-long', name: 'Too long', channel: 'sms', kind: 'marketing', content: { body: 'Hi {{ contact.first_name }}', locales: { ar: { body: arabic } } } };
    const res = await h.app.inject({ method: 'POST', url: '/api/templates', headers: t.admin, payload });
    expect(res.statusCode).toBe(400);
    expect(JSON.stringify(res.json())).toContain('locales.ar.body');
    expect(JSON.stringify(res.json())).toMatch(/SMS segments \(ucs2\) before personalisation; the workspace allows 6/);
  });

  it('POST /api/messages/send with channel sms finds or creates the contact by phone and sends the transactional SMS', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/messages/send',
      headers: t.admin,
      payload: { channel: 'sms', phone: '+98 912 345 6789', templateId: 'otp', data: { code: '۱۲۳۴' }, idempotencyKey: 'otp-1' },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json().result.status).toBe('sent');
    const m = res.json().message;
    expect(m.channel).toBe('sms');
    expect((await outbox(m.id)).to_address).toBe('+989123456789');
    const bad = await h.app.inject({ method: 'POST', url: '/api/messages/send', headers: t.admin, payload: { channel: 'sms', phone: 'call me', templateId: 'otp' } });
    expect(bad.statusCode).toBe(400);
    expect(JSON.stringify(bad.json())).toContain('phone');
  });

  describe('through a Twilio-compatible provider', () => {
    let twilio: TwilioTestServer;
    let base: string;
    let providerId: string;
    beforeAll(async () => {
      twilio = await startTwilioServer();
      await h.app.listen({ port: 0, host: '127.0.0.1' });
      base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
      const created = await h.app.inject({
        method: 'POST',
        url: '/api/channels/sms/providers',
        headers: t.admin,
        payload: {
          kind: 'twilio',
          name: 'Twilio',
          settings: { accountSid: twilio.accountSid, baseUrl: twilio.baseUrl, from: '+15005550006', costPerSegment: 0.05 },
          secrets: { authToken: twilio.authToken },
        },
      });
      expect(created.statusCode).toBe(201);
      expect(JSON.stringify(created.json())).not.toContain(twilio.authToken);
      providerId = created.json().id;
    });
    afterAll(async () => {
      await twilio?.close();
      await h.deps.store.db.deleteFrom('channel_providers').where('id', '=', providerId).execute();
    });

    it('sends through the Messages API with a signed StatusCallback; a signed receipt marks the message delivered, an unsigned one is refused', async () => {
      const c = await contact('+966501234572');
      const result = await send(c, 'offer');
      expect(result.status).toBe('sent');
      const [got] = twilio.received.slice(-1);
      expect(got!.params.To).toBe('+966501234572');
      expect(got!.params.StatusCallback).toBe(`${PUBLIC_URL}/hooks/sms/twilio/${providerId}/status`);
      const m = await record(`k${n}`);
      expect(m).toMatchObject({ provider: 'twilio', provider_message_id: got!.sid });
      expect(Number(m.cost_micros)).toBe(50_000 * Number(m.segments));

      const forged = await twilio.postStatus(
        `${base}/hooks/sms/twilio/${providerId}/status`,
        { MessageSid: got!.sid!, MessageStatus: 'delivered' },
        { signWith: 'not-the-token', signedUrl: `${PUBLIC_URL}/hooks/sms/twilio/${providerId}/status` },
      );
      expect(forged.status).toBe(403);
      expect((await record(`k${n}`)).delivery_status).toBeNull();
      const ok = await twilio.reportStatus(got!.sid!, 'delivered', { postTo: `${base}/hooks/sms/twilio/${providerId}/status` });
      expect(ok.status).toBe(200);
      expect((await record(`k${n}`)).delivery_status).toBe('delivered');
    });

    it('a reply STOP through the signed inbound webhook is in the consent ledger with its text, answered once, and stops marketing', async () => {
      const c = await contact('+966501234573', { locale: 'ar' });
      const url = `${base}/hooks/sms/twilio/${providerId}/inbound`;
      const params = { MessageSid: 'SMinbound0001', From: '+966501234573', To: '+15005550006', Body: 'إلغاء', AccountSid: twilio.accountSid };
      const before = twilio.received.length;
      const res = await twilio.postInbound(url, params, { signedUrl: `${PUBLIC_URL}/hooks/sms/twilio/${providerId}/inbound` });
      expect(res.status).toBe(200);
      // Twilio retries its webhook: the same message changes nothing twice and is answered once.
      await twilio.postInbound(url, params, { signedUrl: `${PUBLIC_URL}/hooks/sms/twilio/${providerId}/inbound` });
      const ledger = await h.deps.store.db.selectFrom('consent_history').selectAll().where('contact_id', '=', c.id).where('channel', '=', 'sms').orderBy('id').execute();
      expect(ledger.at(-1)).toMatchObject({ status: 'unsubscribed', source: 'sms_reply', detail: 'إلغاء' });
      const answers = twilio.received.slice(before).filter((r) => r.params.To === '+966501234573');
      expect(answers).toHaveLength(1);
      expect(await send(c, 'offer')).toEqual({ status: 'skipped', reason: 'unsubscribed from sms' });
    });
  });

  describe('two providers in priority order, with failover', () => {
    let first: TwilioTestServer;
    let second: TwilioTestServer;
    const ids: string[] = [];
    const provider = async (server: TwilioTestServer, name: string, priority: number) => {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/channels/sms/providers',
        headers: t.admin,
        payload: { kind: 'twilio', name, priority, settings: { accountSid: server.accountSid, baseUrl: server.baseUrl, from: '+15005550006' }, secrets: { authToken: server.authToken } },
      });
      expect(res.statusCode, res.body).toBe(201);
      ids.push(res.json().id);
      return res.json().id as string;
    };
    beforeAll(async () => {
      first = await startTwilioServer();
      second = await startTwilioServer();
      await provider(first, 'Primary', 1);
      await provider(second, 'Backup', 2);
    });
    afterAll(async () => {
      await first?.close();
      await second?.close();
      await h.deps.store.db.deleteFrom('channel_providers').where('id', 'in', ids).execute();
      await h.deps.store.db.deleteFrom('email_circuits').where('workspace_id', '=', t.workspaceId).execute();
    });

    it('the first provider failing (500) sends the same record through the second at once; its circuit opens after 5 and it is skipped; a probe after the cool-down closes it', async () => {
      const phones = Array.from({ length: 6 }, (_, i) => `+96650123460${i}`);
      for (const p of phones) first.failures.set(p, { kind: 'http', status: 500 });
      for (const [i, p] of phones.entries()) {
        const c = await contact(p);
        const result = await send(c, 'otp', 'transactional', { code: String(1000 + i) });
        expect(result.status).toBe('sent');
        const m = await record(`k${n}`);
        const got = second.received.at(-1)!;
        expect(got.params.To).toBe(p);
        expect(m).toMatchObject({ status: 'sent', provider: 'twilio', provider_message_id: got.sid });
      }
      // Five 500s opened the first one's circuit: the sixth message did not try it.
      expect(first.received.filter((r) => phones.includes(r.params.To ?? ''))).toHaveLength(5);
      expect(second.received.filter((r) => phones.includes(r.params.To ?? ''))).toHaveLength(6);
      const circuit = await h.deps.store.db.selectFrom('email_circuits').selectAll().where('workspace_id', '=', t.workspaceId).where('provider_id', '=', `sms:${ids[0]}`).executeTakeFirstOrThrow();
      expect(circuit).toMatchObject({ state: 'open', failures: 5 });

      // Back, and the cool-down (30 s) passed: the next message probes it, and it takes the rest again.
      first.failures.clear();
      h.clock.advance(31_000);
      const before = second.received.length;
      for (const p of ['+966501234610', '+966501234611']) expect((await send(await contact(p), 'otp', 'transactional', { code: '1' })).status).toBe('sent');
      expect(first.received.slice(-2).map((r) => r.params.To)).toEqual(['+966501234610', '+966501234611']);
      expect(second.received.length).toBe(before);
      expect((await h.deps.store.db.selectFrom('email_circuits').select('state').where('provider_id', '=', `sms:${ids[0]}`).executeTakeFirstOrThrow()).state).toBe('closed');
    });

    it('a rate limit with Retry-After tries the next provider without charging the circuit; a permanent refusal (invalid number) is not failed over', async () => {
      first.failures.set('+966501234620', { kind: 'http', status: 429, retryAfter: '2' });
      expect((await send(await contact('+966501234620'), 'otp', 'transactional', { code: '2' })).status).toBe('sent');
      expect(second.received.at(-1)!.params.To).toBe('+966501234620');
      const circuit = await h.deps.store.db.selectFrom('email_circuits').selectAll().where('provider_id', '=', `sms:${ids[0]}`).executeTakeFirstOrThrow();
      expect(circuit).toMatchObject({ state: 'closed', failures: 0 });

      first.failures.set('+966501234621', { kind: 'error', code: 21211 });
      const before = second.received.length;
      expect((await send(await contact('+966501234621'), 'otp', 'transactional', { code: '3' })).status).toBe('permanent');
      expect(second.received.length).toBe(before);
    });

    it('every provider failing: the message stays queued (retryable) with one record; a later attempt sends it once', async () => {
      first.failures.set('+966501234630', { kind: 'http', status: 503 });
      second.failures.set('+966501234630', { kind: 'http', status: 503, once: true });
      const c = await contact('+966501234630');
      const key = `k${n + 1}`;
      expect((await send(c, 'otp', 'transactional', { code: '4' })).status).toBe('retryable');
      const queued = await record(key);
      expect(queued.status).toBe('queued');
      h.clock.advance(10 * 60_000);
      const again = await channel.send({ workspaceId: t.workspaceId, contact: c, idempotencyKey: key, config: { template: 'otp' }, context: { data: { code: '4' } }, kind: 'transactional' });
      expect(again.status).toBe('sent');
      expect((await record(key)).id).toBe(queued.id);
      expect(second.received.filter((r) => r.params.To === '+966501234630' && r.sid !== null)).toHaveLength(1);
    });
  });
});
