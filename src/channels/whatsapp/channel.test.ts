import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createContact } from '../../contacts/contacts.js';
import type { Contact } from '../../contacts/contact.js';
import { effectiveConsent, setConsent } from '../../consent/consent.js';
import { saveTemplates } from '../../templates/service.js';
import type { SendResult } from '../channel.js';
import { createProvider, type ChannelProvider } from '../providers/providers.js';
import { providerKinds } from '../providers/kinds.js';
import { inboundEvent, startCloudApiServer, statusEvent, type CloudApiTestServer } from './cloud-api.testkit.js';
import { createWhatsappChannel, type WhatsappChannel } from './index.js';

const PUBLIC_URL = 'https://q.example.com';
const HOUR = 3_600_000;

describe.each(backends())('the WhatsApp channel on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let fake: CloudApiTestServer;
  let provider: ChannelProvider;
  let channel: WhatsappChannel;
  let hookUrl: string;
  let n = 0;
  let phones = 0;

  beforeAll(async () => {
    h = await createHarness(kind, { publicUrl: PUBLIC_URL, allowPrivateOutbound: true });
    t = await h.tenant();
    fake = await startCloudApiServer({
      templates: [
        { name: 'order_shipped', language: 'en_US', parameters: 2 },
        { name: 'order_shipped', language: 'fa', parameters: 2 },
        { name: 'sale_flyer', language: 'en_US', parameters: 1, header: 'image', urlButtons: [0] },
        { name: 'sale_flyer', language: 'ar', parameters: 1, header: 'image', urlButtons: [0] },
        { name: 'invoice_ready', language: 'en_US', parameters: 0, header: 'document' },
      ],
    });
    provider = await createProvider({ ...h.deps, providerKinds }, t.workspaceId, 'whatsapp', {
      kind: 'whatsapp_cloud',
      name: 'Main number',
      settings: { phoneNumberId: fake.phoneNumberId, wabaId: fake.wabaId, apiRoot: fake.apiRoot },
      secrets: { accessToken: fake.accessToken, appSecret: fake.appSecret, verifyToken: fake.verifyToken },
    });
    await saveTemplates(
      h.deps,
      t.workspaceId,
      [
        {
          id: 'shipped',
          name: 'Shipped',
          channel: 'whatsapp',
          kind: 'marketing',
          content: {
            body: '',
            whatsapp: { name: 'order_shipped', language: 'en_US', parameters: ['{{ contact.first_name }}', 'https://shop.example.com/track/{{ data.order }}'] },
            locales: { fa: { whatsapp: { language: 'fa' } } },
          },
        },
        { id: 'ghost', name: 'Ghost', channel: 'whatsapp', kind: 'marketing', content: { body: '', whatsapp: { name: 'never_approved', language: 'en_US', parameters: [] } } },
        { id: 'chat', name: 'Chat', channel: 'whatsapp', kind: 'transactional', content: { body: 'Hi {{ contact.first_name }}, your code is {{ data.code }}' } },
        {
          id: 'flyer',
          name: 'Flyer',
          channel: 'whatsapp',
          kind: 'marketing',
          content: {
            body: '',
            whatsapp: {
              name: 'sale_flyer',
              language: 'en_US',
              parameters: ['{{ contact.first_name }}'],
              header: { type: 'image', link: 'https://cdn.example.com/flyers/{{ data.flyer | default: "winter" }}.png' },
              buttons: [{ index: 0, urlSuffix: 'sale/{{ data.code }}' }],
            },
            locales: { ar: { whatsapp: { language: 'ar', header: { type: 'image', link: 'https://cdn.example.com/flyers/ar-{{ data.flyer | default: "winter" }}.png' } } } },
          },
        },
        {
          id: 'invoice',
          name: 'Invoice',
          channel: 'whatsapp',
          kind: 'transactional',
          content: { body: '', whatsapp: { name: 'invoice_ready', language: 'en_US', header: { type: 'document', link: '{{ data.pdf }}', filename: 'invoice.pdf' } } },
        },
        // Approved with a media header, sent as if it had none: WhatsApp refuses it (132012).
        {
          id: 'flyer-bare',
          name: 'Flyer without header',
          channel: 'whatsapp',
          kind: 'marketing',
          content: { body: '', whatsapp: { name: 'sale_flyer', language: 'en_US', parameters: ['x'], buttons: [{ index: 0, urlSuffix: 'x' }] } },
        },
      ],
      'upsert',
    );
    channel = createWhatsappChannel(h.deps);
    await h.app.listen({ port: 0, host: '127.0.0.1' });
    hookUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}/hooks/whatsapp/${provider.id}`;
  });
  afterAll(async () => {
    await channel?.close();
    await fake?.close();
    await h?.close();
  });

  async function contact(options: { locale?: string; consent?: 'subscribed' | 'unsubscribed' | null } = {}): Promise<Contact> {
    const phone = `+9665012${String(++phones).padStart(5, '0')}`;
    const c = await createContact(h.deps, t.workspaceId, { phone, locale: options.locale ?? 'en', attributes: { first_name: 'Sara' } });
    if (options.consent !== null) await setConsent(h.deps, t.workspaceId, c.id, { channel: 'whatsapp', topic: '', status: options.consent ?? 'subscribed', source: 'test' });
    return c;
  }
  const send = (c: Contact, template: string, kind: 'marketing' | 'transactional' = 'marketing', data: Record<string, string> = {}): Promise<SendResult> =>
    channel.send({ workspaceId: t.workspaceId, contact: c, idempotencyKey: `wa${++n}`, config: { template }, context: { data }, kind });
  const record = (key: string) => h.deps.store.db.selectFrom('messages').selectAll().where('workspace_id', '=', t.workspaceId).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
  const lastBody = () => fake.received.at(-1)!.body as Record<string, any>;

  it('a template message goes to the Cloud API with the approved name, the language of the contact’s locale and its parameters rendered per contact, links tracked', async () => {
    const c = await contact({ locale: 'fa' });
    const before = fake.received.length;
    const result = await send(c, 'shipped', 'marketing', { order: 'A-17' });
    expect(result).toMatchObject({ status: 'sent', providerMessageId: expect.stringMatching(/^wamid\./) });
    expect(fake.received.length).toBe(before + 1);
    const body = lastBody();
    expect(body).toMatchObject({ messaging_product: 'whatsapp', to: c.phone!.slice(1), type: 'template', template: { name: 'order_shipped', language: { code: 'fa' } } });
    const params = body.template.components[0].parameters;
    expect(params[0]).toEqual({ type: 'text', text: 'Sara' });
    // The link became a signed short link that records `whatsapp.clicked`.
    expect(params[1].text).toMatch(/^https:\/\/q\.example\.com\/s\/[0-9A-Za-z]{11}$/);
    const m = await record(`wa${n}`);
    expect(m).toMatchObject({ status: 'sent', channel: 'whatsapp', provider: 'whatsapp_cloud', to_address: c.phone, provider_message_id: (result as { providerMessageId: string }).providerMessageId });
    expect(typeof m.links === 'string' ? JSON.parse(m.links) : m.links).toEqual(['https://shop.example.com/track/A-17']);
    const token = /\/s\/([0-9A-Za-z]{11})/.exec(params[1].text)![1]!;
    const click = await h.app.inject({ method: 'GET', url: `/s/${token}` });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.com/track/A-17');
    expect(Number((await record(`wa${n}`)).click_count)).toBe(1);
  });

  it('a template with a media header and a URL button sends them as header and button components, per locale; a link that is not https is refused before the call; a header WhatsApp does not expect fails with 132012', async () => {
    expect(await send(await contact(), 'flyer', 'marketing', { code: 'W25' })).toMatchObject({ status: 'sent' });
    expect(lastBody().template).toEqual({
      name: 'sale_flyer',
      language: { code: 'en_US' },
      components: [
        { type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/flyers/winter.png' } }] },
        { type: 'body', parameters: [{ type: 'text', text: 'Sara' }] },
        { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'sale/W25' }] },
      ],
    });
    expect(await send(await contact({ locale: 'ar' }), 'flyer', 'marketing', { code: 'W25', flyer: 'eid' })).toMatchObject({ status: 'sent' });
    expect(lastBody().template.language).toEqual({ code: 'ar' });
    expect(lastBody().template.components[0]).toEqual({ type: 'header', parameters: [{ type: 'image', image: { link: 'https://cdn.example.com/flyers/ar-eid.png' } }] });

    const c = await contact();
    expect(await send(c, 'invoice', 'transactional', { pdf: 'https://files.example.com/i/77.pdf' })).toMatchObject({ status: 'sent' });
    expect(lastBody().template.components).toEqual([{ type: 'header', parameters: [{ type: 'document', document: { link: 'https://files.example.com/i/77.pdf', filename: 'invoice.pdf' } }] }]);
    const before = fake.received.length;
    const plain = await send(c, 'invoice', 'transactional', { pdf: 'http://files.example.com/i/78.pdf' });
    expect(plain).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/whatsapp\.header\.link.*https/) });
    expect(fake.received.length).toBe(before);

    const bare = await send(c, 'flyer-bare');
    expect(bare).toMatchObject({ status: 'permanent', reason: expect.stringMatching(/132012.*Format mismatch, expected IMAGE/s) });
  });

  it('a template WhatsApp does not know fails for good with WhatsApp’s own reason', async () => {
    const result = await send(await contact(), 'ghost');
    expect(result.status).toBe('permanent');
    expect((result as { reason: string }).reason).toMatch(/132001.*does not exist.*never_approved/s);
    expect((await record(`wa${n}`)).status).toBe('failed');
  });

  it('without opt-in a marketing message is skipped before the provider is called', async () => {
    const before = fake.received.length;
    const result = await send(await contact({ consent: null }), 'shipped', 'marketing', { order: '1' });
    expect(result.status).toBe('skipped');
    expect(fake.received.length).toBe(before);
  });

  it('free-form text outside the 24-hour window is refused before the provider is called; after the contact writes it is sent, and 24 hours later refused again', async () => {
    const c = await contact();
    const before = fake.received.length;
    const refused = await send(c, 'chat', 'transactional', { code: '4411' });
    expect(refused.status).toBe('permanent');
    expect((refused as { reason: string }).reason).toMatch(/outside the 24-hour customer-service window.*never written/);
    expect(fake.received.length).toBe(before);

    // The contact writes: the signed webhook opens the window.
    const wrote = await fake.postWebhook(hookUrl, inboundEvent(fake.phoneNumberId, c.phone!, 'Where is my order?', h.clock.now()));
    expect(wrote.status).toBe(200);
    fake.openWindow(c.phone!);
    const sent = await send(c, 'chat', 'transactional', { code: '4411' });
    expect(sent.status).toBe('sent');
    expect(lastBody()).toMatchObject({ type: 'text', to: c.phone!.slice(1), text: { body: 'Hi Sara, your code is 4411' } });
    // The reply is an event journeys can wait for.
    const events = await h.deps.store.db.selectFrom('events').select('name').where('contact_id', '=', c.id).where('name', '=', 'whatsapp.received').execute();
    expect(events).toHaveLength(1);

    h.clock.advance(24 * HOUR + 1);
    const late = await send(c, 'chat', 'transactional', { code: '5' });
    expect(late.status).toBe('permanent');
    expect((late as { reason: string }).reason).toMatch(/outside the 24-hour customer-service window \(the contact last wrote on/);
  });

  it('WhatsApp’s rate limit (130429) is retryable; undeliverable (131026) is permanent', async () => {
    const c = await contact();
    fake.failures.set(c.phone!.slice(1), { code: 130429, once: true });
    const limited = await send(c, 'shipped', 'marketing', { order: '2' });
    expect(limited.status).toBe('retryable');
    expect((await record(`wa${n}`)).status).toBe('queued');
    const again = await channel.send({ workspaceId: t.workspaceId, contact: c, idempotencyKey: `wa${n}`, config: { template: 'shipped' }, context: { data: { order: '2' } }, kind: 'marketing' });
    expect(again.status).toBe('sent');
    const d = await contact();
    fake.failures.set(d.phone!.slice(1), { code: 131026 });
    const gone = await send(d, 'shipped', 'marketing', { order: '3' });
    expect(gone.status).toBe('permanent');
    expect((gone as { reason: string }).reason).toMatch(/131026.*undeliverable/);
  });

  it('status webhooks move the message to delivered, then read (counted in the statistics); repeats and stale ones change nothing', async () => {
    const c = await contact();
    const result = await send(c, 'shipped', 'marketing', { order: '9' });
    const wamid = (result as { providerMessageId: string }).providerMessageId;
    const at = h.clock.now();
    for (const status of ['sent', 'delivered', 'delivered'] as const) expect((await fake.postWebhook(hookUrl, statusEvent(fake.phoneNumberId, wamid, status, c.phone!, at))).status).toBe(200);
    let m = await record(`wa${n}`);
    expect(m).toMatchObject({ status: 'sent', delivery_status: 'delivered', read_at: null });
    expect(Number(m.delivered_at)).toBe(Math.floor(at / 1000) * 1000);
    await fake.postWebhook(hookUrl, statusEvent(fake.phoneNumberId, wamid, 'read', c.phone!, at + 60_000));
    await fake.postWebhook(hookUrl, statusEvent(fake.phoneNumberId, wamid, 'read', c.phone!, at + 120_000));
    m = await record(`wa${n}`);
    expect(m.delivery_status).toBe('delivered');
    expect(Number(m.read_at)).toBe(Math.floor((at + 60_000) / 1000) * 1000);

    // A read receipt alone (delivered lost) says delivered too.
    const other = await send(c, 'shipped', 'marketing', { order: '10' });
    await fake.postWebhook(hookUrl, statusEvent(fake.phoneNumberId, (other as { providerMessageId: string }).providerMessageId, 'read', c.phone!, at));
    expect(await record(`wa${n}`)).toMatchObject({ delivery_status: 'delivered', read_at: expect.anything() });

    const stats = await h.app.inject({ method: 'GET', url: '/api/stats/overview', headers: t.admin });
    expect(stats.statusCode).toBe(200);
    const wa = (stats.json() as { byChannel: Record<string, { sent: number; delivered: number; reads: number; rates: { read: number } }> }).byChannel.whatsapp!;
    expect(wa.delivered).toBe(2);
    expect(wa.reads).toBe(2);
    expect(wa.rates.read).toBe(1);
  });

  it('a failed status records the failure with WhatsApp’s code', async () => {
    const c = await contact();
    const result = await send(c, 'shipped', 'marketing', { order: '11' });
    await fake.postWebhook(hookUrl, statusEvent(fake.phoneNumberId, (result as { providerMessageId: string }).providerMessageId, 'failed', c.phone!, h.clock.now(), 131026));
    expect(await record(`wa${n}`)).toMatchObject({ status: 'sent', delivery_status: 'failed', error_code: '131026' });
  });

  it('an unsigned or wrongly signed webhook is refused with 403 and changes nothing', async () => {
    const c = await contact();
    const stop = inboundEvent(fake.phoneNumberId, c.phone!, 'STOP', h.clock.now());
    expect((await fake.postWebhook(hookUrl, stop, { signWith: null })).status).toBe(403);
    expect((await fake.postWebhook(hookUrl, stop, { signWith: 'not-the-app-secret' })).status).toBe(403);
    // Signed, then one byte changed.
    const raw = JSON.stringify(stop);
    const res = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': (await import('./signature.js')).hubSignature(fake.appSecret, raw) },
      body: raw.replace('STOP', 'STOQ'),
    });
    expect(res.status).toBe(403);
    expect((await fake.postWebhook(hookUrl.replace(provider.id, 'prv_unknown'), stop)).status).toBe(403);
    expect(await effectiveConsent(h.deps.store.db, c.id, 'whatsapp')).toBe('subscribed');
    const window = await h.deps.store.db.selectFrom('whatsapp_windows').selectAll().where('workspace_id', '=', t.workspaceId).where('phone', '=', c.phone!).execute();
    expect(window).toEqual([]);
  });

  it.each([['STOP'], ['توقف'], ['لغو']])('an inbound "%s" withdraws WhatsApp consent, once even when delivered twice, and the next marketing message is skipped', async (word) => {
    const c = await contact();
    const event = inboundEvent(fake.phoneNumberId, c.phone!, word, h.clock.now());
    expect((await fake.postWebhook(hookUrl, event)).status).toBe(200);
    expect((await fake.postWebhook(hookUrl, event)).status).toBe(200);
    expect(await effectiveConsent(h.deps.store.db, c.id, 'whatsapp')).toBe('unsubscribed');
    const history = await h.deps.store.db.selectFrom('consent_history').select(['source', 'detail', 'status']).where('contact_id', '=', c.id).where('channel', '=', 'whatsapp').orderBy('id').execute();
    expect(history.slice(1)).toEqual([{ source: 'whatsapp_reply', detail: word, status: 'unsubscribed' }]);
    const before = fake.received.length;
    expect((await send(c, 'shipped', 'marketing', { order: '1' })).status).toBe('skipped');
    expect(fake.received.length).toBe(before);
  });

  it('a signed body that is not JSON is a 400; signed junk shapes are acknowledged and change nothing', async () => {
    const c = await contact();
    const notJson = await fetch(hookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': (await import('./signature.js')).hubSignature(fake.appSecret, '{"entry":') },
      body: '{"entry":',
    });
    expect(notJson.status).toBe(400);
    for (const junk of [
      [],
      'STOP',
      { entry: 'x' },
      { entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: c.phone, id: 7, text: { body: 'STOP' } }], statuses: [{ id: 'wamid.x', status: 'exploded' }] } }] }] },
      { entry: [{ changes: [{ field: 'messages', value: { messages: [{ from: 'not a number', id: 'wamid.y', text: { body: 'STOP' } }] } }] }] },
    ]) {
      const res = await fake.postWebhook(hookUrl, junk);
      expect(res.status).toBe(200);
    }
    expect(await effectiveConsent(h.deps.store.db, c.id, 'whatsapp')).toBe('subscribed');
  });

  it('the provider API shows the settings and only whether each secret is set; a bad setting is a 400 naming its field', async () => {
    const list = await h.app.inject({ method: 'GET', url: '/api/channels/whatsapp/providers', headers: t.admin });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(fake.accessToken);
    expect(list.body).not.toContain(fake.appSecret);
    expect(list.body).not.toContain(fake.verifyToken);
    expect(JSON.stringify(list.json())).toContain('"accessTokenSet":true');
    const bad = await h.app.inject({
      method: 'POST',
      url: '/api/channels/whatsapp/providers',
      headers: t.admin,
      payload: { kind: 'whatsapp_cloud', name: 'x', settings: { phoneNumberId: '12ab', wabaId: '1', messagingTier: '5k' }, secrets: { accessToken: 't', appSecret: 's' } },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('body.settings.phoneNumberId');
    expect(bad.body).toContain('body.settings.messagingTier');
  });

  it('a preview shows the approved template, the language of the locale and the parameters rendered', async () => {
    const res = await h.app.inject({
      method: 'POST',
      url: '/api/templates/shipped/preview',
      headers: t.admin,
      payload: { locale: 'fa', contact: { attributes: { first_name: 'Nima' } }, context: { data: { order: 'B-2' } } },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ subject: 'order_shipped (fa)', direction: 'rtl', text: '{{1}} = Nima\n{{2}} = https://shop.example.com/track/B-2' });
    const chat = await h.app.inject({
      method: 'POST',
      url: '/api/templates/chat/preview',
      headers: t.admin,
      payload: { contact: { attributes: { first_name: 'Sam' } }, context: { data: { code: '1' } } },
    });
    expect(chat.json()).toMatchObject({ subject: '', text: 'Hi Sam, your code is 1' });
  });

  it('the webhook GET handshake answers the challenge only to the provider’s verify token', async () => {
    const path = new URL(hookUrl).pathname;
    const ok = await h.app.inject({ method: 'GET', url: `${path}?hub.mode=subscribe&hub.verify_token=${fake.verifyToken}&hub.challenge=1158201444` });
    expect(ok.statusCode).toBe(200);
    expect(ok.body).toBe('1158201444');
    const wrong = await h.app.inject({ method: 'GET', url: `${path}?hub.mode=subscribe&hub.verify_token=guess&hub.challenge=1` });
    expect(wrong.statusCode).toBe(403);
  });

  it('the messaging tier caps the distinct customers a template message starts a conversation with per day; a customer already counted today still gets one', async () => {
    // A day of its own: the tests above counted their customers on theirs.
    h.clock.advance(86_400_000);
    const day = Math.floor(h.clock.now() / 86_400_000);
    const counted = await contact();
    // 999 numbers already messaged today, plus `counted`: the 1k tier is full.
    await h.deps.store.db
      .insertInto('whatsapp_daily_recipients')
      .values(Array.from({ length: 999 }, (_, i) => ({ workspace_id: t.workspaceId, provider_id: provider.id, day, phone: `+1555${String(i).padStart(7, '0')}` })))
      .execute();
    await h.deps.store.db
      .insertInto('whatsapp_daily_recipients')
      .values({ workspace_id: t.workspaceId, provider_id: provider.id, day, phone: counted.phone! })
      .onConflict((oc) => oc.doNothing())
      .execute();
    await h.deps.store.db.insertInto('whatsapp_daily_counts').values({ workspace_id: t.workspaceId, provider_id: provider.id, day, used: 1000 }).execute();
    const before = fake.received.length;
    const capped = await send(await contact(), 'shipped', 'marketing', { order: '1' });
    expect(capped.status).toBe('retryable');
    expect((capped as { reason: string }).reason).toMatch(/messaging tier \(1000 customers a day\)/);
    expect((capped as { retryAfterMs: number }).retryAfterMs).toBe((day + 1) * 86_400_000 - h.clock.now());
    expect(fake.received.length).toBe(before);
    expect((await send(counted, 'shipped', 'marketing', { order: '1' })).status).toBe('sent');
    const rows = await h.deps.store.db.selectFrom('whatsapp_daily_recipients').select('phone').where('workspace_id', '=', t.workspaceId).where('day', '=', day).execute();
    expect(rows).toHaveLength(1000);
    // The next UTC day starts a new count.
    h.clock.advance((day + 1) * 86_400_000 - h.clock.now());
    expect((await send(await contact(), 'shipped', 'marketing', { order: '1' })).status).toBe('sent');
  });

  it('the transactional API sends on whatsapp', async () => {
    const c = await contact();
    await fake.postWebhook(hookUrl, inboundEvent(fake.phoneNumberId, c.phone!, 'hello', h.clock.now()));
    fake.openWindow(c.phone!);
    const res = await h.app.inject({ method: 'POST', url: '/api/messages/send', headers: t.admin, payload: { channel: 'whatsapp', templateId: 'chat', contactId: c.id, data: { code: '77' } } });
    expect(res.statusCode).toBe(200);
    expect(res.json().result.status).toBe('sent');
    expect(lastBody()).toMatchObject({ type: 'text', text: { body: 'Hi Sara, your code is 77' } });
  });

  it('templates are validated when saved: a bad template name, a free-form message without a body, bad Liquid in a parameter or header, a button given twice, an unknown header type, a whatsapp part on an SMS template', async () => {
    const post = (body: object) => h.app.inject({ method: 'POST', url: '/api/templates', headers: t.admin, payload: body });
    const bad = await post({ id: 'bad-name', name: 'x', channel: 'whatsapp', kind: 'marketing', content: { body: '', whatsapp: { name: 'Order Shipped!', language: 'en_US' } } });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('whatsapp.name');
    const empty = await post({ id: 'empty', name: 'x', channel: 'whatsapp', kind: 'marketing', content: { body: '  ' } });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('free-form WhatsApp message needs a body');
    const noLang = await post({ id: 'nolang', name: 'x', channel: 'whatsapp', kind: 'marketing', content: { body: '', whatsapp: { name: 'order_shipped' } } });
    expect(noLang.statusCode).toBe(400);
    expect(noLang.body).toContain('whatsapp.language');
    const liquid = await post({
      id: 'liquid',
      name: 'x',
      channel: 'whatsapp',
      kind: 'marketing',
      content: { body: '', whatsapp: { name: 'a', language: 'en', parameters: ['{{ contact.first_name '] } },
    });
    expect(liquid.statusCode).toBe(400);
    expect(liquid.body).toContain('whatsapp.parameters.0');
    const header = await post({
      id: 'header',
      name: 'x',
      channel: 'whatsapp',
      kind: 'marketing',
      content: {
        body: '',
        whatsapp: {
          name: 'a',
          language: 'en',
          header: { type: 'text', text: '{% if %}' },
          buttons: [
            { index: 1, urlSuffix: 'a' },
            { index: 1, urlSuffix: 'b' },
          ],
        },
      },
    });
    expect(header.statusCode).toBe(400);
    expect(header.body).toContain('whatsapp.header.text');
    expect(header.body).toContain('whatsapp.buttons.1.index');
    const sticker = await post({
      id: 'sticker',
      name: 'x',
      channel: 'whatsapp',
      kind: 'marketing',
      content: { body: '', whatsapp: { name: 'a', language: 'en', header: { type: 'sticker', link: 'https://x' } } },
    });
    expect(sticker.statusCode).toBe(400);
    expect(sticker.body).toContain('whatsapp.header');
    const sms = await post({ id: 'sms-wa', name: 'x', channel: 'sms', kind: 'marketing', content: { body: 'hi', whatsapp: { name: 'a', language: 'en' } } });
    expect(sms.statusCode).toBe(400);
    expect(sms.body).toContain('only for templates of channel whatsapp');
  });
});
