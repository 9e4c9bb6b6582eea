/**
 * The end-to-end proof of issue 16 on both stores: a welcome journey (signup → email → 2 days → an
 * Arabic marketing SMS → 1 day → another marketing SMS) through a Twilio provider pointing at the
 * local Twilio test server, on the manual clock. Two contacts reply STOP through the signed inbound
 * webhook (Arabic «إلغاء», English "stop texting me"): the consent ledger keeps the raw text, their
 * second SMS is skipped, a transactional SMS still goes, receipts update the messages, and the
 * journey's statistics show both channels. A third contact whose SMS falls in Riyadh's night is held
 * until 08:00 there, not lost.
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { startSmtpSink, type SmtpSink } from '../../../test/smtp-sink.js';
import { installErrorHandler } from '../../api/error-handler.js';
import { createContact } from '../../contacts/contacts.js';
import type { Contact } from '../../contacts/contact.js';
import { setConsent } from '../../consent/consent.js';
import { createMetrics } from '../../metrics/metrics.js';
import { journeyStats } from '../../stats/stats.js';
import { saveTemplates } from '../../templates/service.js';
import { runtimeFixture, type RuntimeFixture } from '../../journeys/runtime/runtime.testkit.js';
import { emailSettingsSchema, saveEmailSettings } from '../email/settings.js';
import { providerKinds } from '../providers/kinds.js';
import { createProvider, getProvider } from '../providers/providers.js';
import { handleInbound } from './inbound.js';
import { replyThrough } from './index.js';
import { applyReceipt } from './receipts.js';
import { twilioHookRoutes } from './providers/twilio/routes.js';
import { startTwilioServer, type TwilioTestServer } from './providers/twilio/server.testkit.js';
import { analyzeSms } from './encoding.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const PUBLIC_URL = 'https://qatra.example';
const FROM = '+15005550006';
/** Sunday 1 March 2026, 09:00 UTC: 12:00 in Riyadh, 12:30 in Tehran. */
const MORNING = Date.UTC(2026, 2, 1, 9, 0, 0);
/** The same day at 19:30 UTC: 22:30 in Riyadh (outside its 08:00–21:00 window), 23:00 in Tehran (the quiet hours, 21:00–08:00). */
const EVENING = Date.UTC(2026, 2, 1, 19, 30, 0);
/** 08:00 in Tehran three days later (04:30 UTC): when Dariush's held SMS may go. */
const TEHRAN_MORNING_DAY3 = Date.UTC(2026, 2, 4, 4, 30, 0);
/** 08:00 in Riyadh three days later (05:00 UTC): when Layla's held SMS may go. */
const RIYADH_MORNING_DAY3 = Date.UTC(2026, 2, 4, 5, 0, 0);

const JOURNEY = {
  id: 'welcome',
  name: 'Welcome',
  trigger: { type: 'event', event: 'signed_up' },
  start: 'mail',
  nodes: [
    { id: 'mail', type: 'message', channel: 'email', template: 'welcome-mail' },
    { id: 'wait2d', type: 'delay', duration: '2d' },
    { id: 'sms1', type: 'message', channel: 'sms', template: 'welcome-sms' },
    { id: 'wait1d', type: 'delay', duration: '1d' },
    { id: 'sms2', type: 'message', channel: 'sms', template: 'offer-sms' },
    { id: 'done', type: 'exit' },
  ],
  edges: [
    { from: 'mail', to: 'wait2d' },
    { from: 'wait2d', to: 'sms1' },
    { from: 'sms1', to: 'wait1d' },
    { from: 'wait1d', to: 'sms2' },
    { from: 'sms2', to: 'done' },
  ],
};

/** What each contact's marketing SMS must read at the server: the rendered text and the opt-out line of the contact's language and country. */
const WELCOME = {
  ahmad: 'مرحبا أحمد، أهلا بك في قطرة!\nلإلغاء الاشتراك أرسل STOP',
  sara: 'سلام سارا، به قطره خوش آمدید!\nلغو۱۱',
  layla: 'مرحبا ليلى، أهلا بك في قطرة!\nلإلغاء الاشتراك أرسل STOP',
  dariush: 'سلام داریوش، به قطره خوش آمدید!\nلغو۱۱',
};
/** Layla's offer is over 70 UCS-2 characters: two segments of 67. */
const OFFER = { layla: 'ليلى، عرضنا لك هذا الأسبوع: خصم ٢٠٪ على كل الاشتراكات السنوية حتى نهاية الشهر\nلإلغاء الاشتراك أرسل STOP', dariush: 'داریوش، پیشنهاد ما برای شما: ۲۰٪ تخفیف\nلغو۱۱' };

describe.each(backends())('the SMS welcome journey on %s', (kind) => {
  let f: RuntimeFixture;
  let twilio: TwilioTestServer;
  let sink: SmtpSink;
  let hooks: ReturnType<typeof Fastify>;
  let local = '';
  let providerId = '';
  const people: Record<string, Contact> = {};

  const sms = () => f.rt.channels.get('sms')!;
  /** Bodies the Twilio server took for `phone`, in order. */
  const bodiesTo = (phone: string) => twilio.received.filter((m) => m.params.To === phone).map((m) => m.params.Body ?? '');
  const messagesOf = (contactId: string) =>
    f.h.deps.store.db.selectFrom('messages').selectAll().where('workspace_id', '=', f.t.workspaceId).where('contact_id', '=', contactId).orderBy('created_at').orderBy('id').execute();
  const localHook = (path: string) => `${local}/hooks/sms/twilio/${providerId}/${path}`;
  const publicHook = (path: string) => `${PUBLIC_URL}/hooks/sms/twilio/${providerId}/${path}`;

  beforeAll(async () => {
    f = await runtimeFixture(kind, { config: { allowPrivateOutbound: true, publicUrl: PUBLIC_URL } });
    f.h.clock.set(MORNING);
    const ws = f.t.workspaceId;
    const deps = f.h.deps;
    twilio = await startTwilioServer();
    sink = await startSmtpSink();
    await saveEmailSettings(
      deps,
      ws,
      emailSettingsSchema.parse({
        provider: 'smtp',
        from: { address: 'hello@news.example.com', name: 'Qatra' },
        postalAddress: '1 Main St, Springfield',
        smtp: { host: '127.0.0.1', port: sink.port },
        tracking: { opens: false, clicks: false },
      }),
    );
    const provider = await createProvider({ ...deps, providerKinds }, ws, 'sms', {
      kind: 'twilio',
      name: 'Local Twilio',
      settings: { accountSid: twilio.accountSid, baseUrl: twilio.baseUrl, from: FROM },
      secrets: { authToken: twilio.authToken },
    });
    providerId = provider.id;
    await saveTemplates(
      deps,
      ws,
      [
        {
          id: 'welcome-mail',
          name: 'Welcome mail',
          kind: 'marketing',
          content: { subject: 'Welcome {{ contact.first_name }}', body: '<p>Hi {{ contact.first_name }}</p><p><a href="{{ unsubscribe_url }}">Unsubscribe</a> {{ workspace.postal_address }}</p>' },
        },
        {
          id: 'welcome-sms',
          name: 'Welcome SMS',
          channel: 'sms',
          kind: 'marketing',
          content: { body: 'مرحبا {{ contact.first_name }}، أهلا بك في قطرة!', defaultLocale: 'ar', locales: { fa: { body: 'سلام {{ contact.first_name }}، به قطره خوش آمدید!' } } },
        },
        {
          id: 'offer-sms',
          name: 'Offer SMS',
          channel: 'sms',
          kind: 'marketing',
          content: {
            body: '{{ contact.first_name }}، عرضنا لك هذا الأسبوع: خصم ٢٠٪ على كل الاشتراكات السنوية حتى نهاية الشهر',
            defaultLocale: 'ar',
            locales: { fa: { body: '{{ contact.first_name }}، پیشنهاد ما برای شما: ۲۰٪ تخفیف' } },
          },
        },
        { id: 'otp', name: 'Code', channel: 'sms', kind: 'transactional', content: { body: 'رمز التحقق: {{ data.code }}', defaultLocale: 'ar' } },
      ],
      'upsert',
    );

    // The Twilio callbacks over real HTTP, signed, handled by the real receipt and inbound handlers.
    // (The app registers the same plugin under the same paths; see the report.)
    hooks = Fastify();
    hooks.setValidatorCompiler(validatorCompiler);
    hooks.setSerializerCompiler(serializerCompiler);
    installErrorHandler(hooks as never, createMetrics());
    const log = deps.log;
    // The answer to a keyword goes out after the STOP was committed: a real clock has moved on (a
    // provider round trip at least); the manual one is moved a second, so that the STOP is
    // attributed to the marketing SMS before it and not to its own confirmation of the same instant.
    const answer = replyThrough(deps.store.db, sms);
    const confirm: typeof answer = (...args) => {
      f.h.clock.advance(1000);
      return answer(...args);
    };
    await hooks.register(
      twilioHookRoutes({
        publicUrl: PUBLIC_URL,
        resolve: async (id) => {
          const p = await getProvider(deps.store.db, deps.secretBox, ws, 'sms', id).catch(() => null);
          return p?.kind === 'twilio' ? { workspaceId: p.workspaceId, authToken: p.secrets.authToken! } : null;
        },
        onReceipt: async (workspaceId, _providerId, receipt) => void (await applyReceipt({ ...deps, log }, { workspaceId, provider: 'twilio', receipt })),
        onInbound: async (workspaceId, _providerId, inbound) => void (await handleInbound({ ...deps, log, reply: confirm }, { workspaceId, provider: 'twilio', inbound })),
      }),
    );
    await hooks.listen({ port: 0, host: '127.0.0.1' });
    local = `http://127.0.0.1:${(hooks.server.address() as AddressInfo).port}`;

    await f.live(JOURNEY);
    const add = async (userId: string, first_name: string, phone: string, locale: string) => {
      const c = await createContact(deps, ws, { userId, email: `${userId}@example.com`, phone, locale, attributes: { first_name } });
      await setConsent(deps, ws, c.id, { channel: 'sms', status: 'subscribed', source: 'signup-form' });
      people[userId] = c;
    };
    await add('ahmad', 'أحمد', '+966501234567', 'ar-SA');
    await add('sara', 'سارا', '+989121234567', 'fa-IR');
    await add('layla', 'ليلى', '+966551234567', 'ar-SA');
    await add('dariush', 'داریوش', '+989351234567', 'fa-IR');
  });
  afterAll(async () => {
    await hooks?.close();
    await twilio?.close();
    await sink?.close();
    await f?.close();
  });

  it('signup → email at once; two days later an Arabic SMS with the opt-out line, UCS-2 segments recorded', async () => {
    await f.track('ahmad', 'signed_up');
    await f.track('sara', 'signed_up');
    await f.worker.drain();
    expect(sink.mails.map((m) => [m.envelope.rcptTo[0], m.parsed.subject])).toEqual([
      ['ahmad@example.com', 'Welcome أحمد'],
      ['sara@example.com', 'Welcome سارا'],
    ]);
    expect(twilio.received).toHaveLength(0);

    await f.advance(2 * DAY - 1000);
    expect(twilio.received).toHaveLength(0);
    await f.advance(1000);
    expect(bodiesTo('+966501234567')).toEqual([WELCOME.ahmad]);
    expect(bodiesTo('+989121234567')).toEqual([WELCOME.sara]);
    expect(twilio.received).toHaveLength(2);
    for (const m of twilio.received) {
      expect(m.params.From).toBe(FROM);
      expect(m.params.StatusCallback).toBe(publicHook('status'));
    }
    for (const who of ['ahmad', 'sara'] as const) {
      const sent = (await messagesOf(people[who]!.id)).filter((m) => m.channel === 'sms');
      expect(sent).toHaveLength(1);
      const analysis = analyzeSms(WELCOME[who]);
      expect(analysis.encoding).toBe('ucs2');
      expect(sent[0]).toMatchObject({ status: 'sent', node_id: 'sms1', to_address: people[who]!.phone, provider: 'twilio' });
      // Segments as UCS-2 counts them (≤ 70 characters: one; else 67 per segment).
      expect(Number(sent[0]!.segments)).toBe(analysis.segments);
      expect(Number(sent[0]!.segments)).toBe(WELCOME[who].length <= 70 ? 1 : Math.ceil(WELCOME[who].length / 67));
      expect(sent[0]!.provider_message_id).toBe(twilio.received.find((m) => m.params.To === people[who]!.phone)!.sid);
    }
  });

  it('a delivered receipt from the server, signed, updates the message; a forged one changes nothing', async () => {
    f.h.clock.advance(10_000);
    for (const m of twilio.received) {
      const answer = await twilio.reportStatus(m.sid!, 'delivered', { postTo: localHook('status') });
      expect(answer.status).toBe(200);
    }
    const forged = await twilio.postStatus(localHook('status'), { MessageSid: twilio.received[0]!.sid!, MessageStatus: 'failed' }, { signedUrl: publicHook('status'), signWith: 'wrong-token' });
    expect(forged.status).toBe(403);
    for (const who of ['ahmad', 'sara']) {
      const [sent] = (await messagesOf(people[who]!.id)).filter((m) => m.channel === 'sms');
      expect(sent).toMatchObject({ delivery_status: 'delivered', error_code: null });
      expect(Number(sent!.delivered_at)).toBe(f.h.clock.now());
    }
  });

  it('STOP through the signed inbound webhook, in Arabic and in plain English: in the ledger with its raw text, confirmed once', async () => {
    // The people read the SMS and answer a few minutes later.
    f.h.clock.advance(5 * 60_000);
    const before = twilio.received.length;
    for (const [who, text] of [
      ['ahmad', 'إلغاء'],
      ['sara', 'stop texting me'],
    ] as const) {
      const answer = await twilio.postInbound(
        localHook('inbound'),
        { MessageSid: `SMin-${who}`, AccountSid: twilio.accountSid, From: people[who]!.phone!, To: FROM, Body: text },
        { signedUrl: publicHook('inbound') },
      );
      expect(answer.status).toBe(200);
      const ledger = await f.h.deps.store.db.selectFrom('consent_history').select(['channel', 'topic', 'status', 'source', 'detail']).where('contact_id', '=', people[who]!.id).orderBy('id').execute();
      expect(ledger).toEqual([
        { channel: 'sms', topic: '', status: 'subscribed', source: 'signup-form', detail: null },
        { channel: 'sms', topic: '', status: 'unsubscribed', source: 'sms_reply', detail: text },
      ]);
    }
    const confirmations = twilio.received.slice(before);
    expect(confirmations.map((m) => m.params.To)).toEqual([people.ahmad!.phone, people.sara!.phone]);
    // One confirmation each, in the contact's language, transactional: no opt-out line appended.
    expect(confirmations.map((m) => m.params.Body)).toEqual([
      'test: تم إلغاء اشتراكك ولن تصلك منا رسائل بعد الآن. لإعادة الاشتراك أرسل «اشتراك».',
      'test: اشتراک شما لغو شد و دیگر پیامکی از ما دریافت نمی‌کنید. برای عضویت دوباره «شروع» را بفرستید.',
    ]);
  });

  it('no later marketing SMS goes out: the second SMS step is skipped with the reason; the run completes', async () => {
    const before = twilio.received.length;
    await f.advance(DAY);
    expect(twilio.received.length).toBe(before);
    for (const who of ['ahmad', 'sara']) {
      const [run] = (await f.runs('welcome')).filter((r) => r.contactId === people[who]!.id);
      expect(run!.status).toBe('completed');
      const steps = await f.steps(run!.id);
      expect(steps.map((s) => `${s.node}:${s.outcome}`)).toEqual(['mail:sent', 'wait2d:delayed', 'sms1:sent', 'wait1d:delayed', 'sms2:skipped', 'done:completed']);
      expect(steps.find((s) => s.node === 'sms2')!.detail).toEqual({ reason: 'unsubscribed from sms' });
      // Skipped before a message was recorded (as for email): their only journey SMS is the first.
      expect((await messagesOf(people[who]!.id)).filter((m) => m.channel === 'sms' && m.kind === 'marketing').map((m) => m.node_id)).toEqual(['sms1']);
    }
  });

  it('a transactional SMS still goes to a contact who said STOP, without an opt-out line', async () => {
    const result = await sms().send({
      workspaceId: f.t.workspaceId,
      contact: people.ahmad!,
      idempotencyKey: 'otp:ahmad:1',
      config: { template: 'otp' },
      context: { data: { code: '4821' } },
      kind: 'transactional',
    });
    expect(result.status).toBe('sent');
    expect(twilio.received.at(-1)!.params).toMatchObject({ To: people.ahmad!.phone, Body: 'رمز التحقق: 4821' });
    expect(bodiesTo(people.ahmad!.phone!).filter((b) => b.startsWith('مرحبا') || b.includes('عرضنا'))).toEqual([WELCOME.ahmad]);
    expect(bodiesTo(people.sara!.phone!).filter((b) => b.startsWith('سلام'))).toEqual([WELCOME.sara]);
  });

  it("SMS due in the contact's night are held, not lost: Riyadh's window until 08:00 there, Tehran's quiet hours until 08:00 there", async () => {
    f.h.clock.set(EVENING);
    await f.track('layla', 'signed_up');
    await f.track('dariush', 'signed_up');
    await f.worker.drain();
    expect(sink.mails.slice(-2).map((m) => m.envelope.rcptTo[0])).toEqual(['layla@example.com', 'dariush@example.com']);
    await f.advance(2 * DAY);
    expect(bodiesTo(people.layla!.phone!)).toEqual([]);
    // Dariush has no time zone of his own: his number's (Asia/Tehran, no promotional window there) is used.
    expect(bodiesTo(people.dariush!.phone!)).toEqual([]);
    const runOf = async (who: string) => (await f.runs('welcome')).find((r) => r.contactId === people[who]!.id)!;
    expect(await runOf('layla')).toMatchObject({ status: 'active', node: 'sms1', dueAt: RIYADH_MORNING_DAY3 });
    expect(await runOf('dariush')).toMatchObject({ status: 'active', node: 'sms1', dueAt: TEHRAN_MORNING_DAY3 });
    await f.advance(TEHRAN_MORNING_DAY3 - f.h.clock.now() - 1000);
    expect(bodiesTo(people.dariush!.phone!)).toEqual([]);
    await f.advance(1000);
    expect(bodiesTo(people.dariush!.phone!)).toEqual([WELCOME.dariush]);
    expect(bodiesTo(people.layla!.phone!)).toEqual([]);
    await f.advance(RIYADH_MORNING_DAY3 - f.h.clock.now());
    expect(bodiesTo(people.layla!.phone!)).toEqual([WELCOME.layla]);
    await f.advance(DAY);
    expect(bodiesTo(people.layla!.phone!)).toEqual([WELCOME.layla, OFFER.layla]);
    expect(bodiesTo(people.dariush!.phone!)).toEqual([WELCOME.dariush, OFFER.dariush]);
    const offer = (await messagesOf(people.layla!.id)).find((m) => m.node_id === 'sms2')!;
    expect(OFFER.layla.length).toBeGreaterThan(70);
    expect(OFFER.layla.length).toBeLessThanOrEqual(134);
    expect(Number(offer.segments)).toBe(2);
    for (const who of ['layla', 'dariush']) {
      expect((await runOf(who)).status).toBe('completed');
      for (const m of twilio.received.filter((r) => r.params.To === people[who]!.phone)) expect((await twilio.reportStatus(m.sid!, 'delivered', { postTo: localHook('status') })).status).toBe(200);
    }
  });

  it("the journey's statistics show both channels: email sent, SMS sent, delivered and opted out", async () => {
    const s = await journeyStats(f.h.deps, f.t.workspaceId, 'welcome');
    expect(Object.keys(s.byChannel).sort()).toEqual(['email', 'sms']);
    expect(s.byChannel.email).toMatchObject({ recorded: 4, sent: 4, delivered: 4, failed: 0, optOuts: 0 });
    // Journey SMS: Ahmad's and Sara's first, Layla's and Dariush's two; the keyword answers and the code are not the journey's.
    expect(s.byChannel.sms).toMatchObject({ recorded: 6, sent: 6, delivered: 6, undelivered: 0, failed: 0, pending: 0, optOuts: 2, rates: { delivery: 1, optOut: 0.333333 } });
    expect(s.byChannel.sms).not.toHaveProperty('opens');
    const segments = [...Object.values(WELCOME), ...Object.values(OFFER)].reduce((n, b) => n + analyzeSms(b).segments, 0);
    expect(s.byChannel.sms!.segments).toBe(segments);
  });
});
