import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createContact } from '../../contacts/contacts.js';
import type { Contact } from '../../contacts/contact.js';
import { effectiveConsent } from '../../consent/consent.js';
import type { SendResult } from '../channel.js';
import { startBotApiServer, type BotApiTestServer } from './bot-api.testkit.js';
import { createTelegramChannel, type TelegramChannel } from './index.js';
import { createSmsChannel } from '../sms/index.js';
import { saveTemplates } from '../../templates/service.js';
import { fromJson } from '../../core/json.js';
import { lastTenthShare } from '../rate-limit.js';
import { budgetOf } from './rate.js';

const PUBLIC_URL = 'https://q.example.com';

describe.each(backends())('the Telegram channel on %s', (kind) => {
  let h: Harness;
  let t: Tenant;
  let server: BotApiTestServer;
  let channel: TelegramChannel;
  let providerId: string;
  let webhookSecret: string;
  let n = 0;
  let update = 100;

  beforeAll(async () => {
    h = await createHarness(kind, { publicUrl: PUBLIC_URL, allowPrivateOutbound: true });
    t = await h.tenant();
    server = await startBotApiServer();
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/channels/telegram/providers',
      headers: t.admin,
      payload: { kind: 'telegram_bot', name: 'Bot', settings: { botUsername: server.username, apiRoot: server.apiRoot }, secrets: { token: server.token } },
    });
    expect(created.statusCode, created.body).toBe(201);
    // The token is sealed and never returned.
    expect(created.body).not.toContain(server.token.split(':')[1]);
    providerId = created.json().id;
    const hook = await h.app.inject({ method: 'POST', url: `/api/channels/telegram/providers/${providerId}/webhook`, headers: t.admin });
    expect(hook.statusCode, hook.body).toBe(200);
    expect(server.webhook?.url).toBe(`${PUBLIC_URL}/hooks/telegram/${t.workspaceId}/${providerId}`);
    webhookSecret = server.webhook!.secretToken!;
    const templates = [
      {
        id: 'offer',
        name: 'Offer',
        channel: 'telegram',
        kind: 'marketing',
        content: {
          body: 'Hi <b>{{ contact.first_name }}</b>, 20% off: https://shop.example.com/sale?c=1',
          buttons: [{ text: 'Shop now', url: 'https://shop.example.com/buy?c=2' }],
          locales: { ar: { body: 'مرحبا <b>{{ contact.first_name }}</b>: https://shop.example.com/ar' } },
        },
      },
      { id: 'note', name: 'Note', channel: 'telegram', kind: 'transactional', content: { body: 'Your order {{ data.order }} has shipped' } },
    ];
    for (const payload of templates) {
      const res = await h.app.inject({ method: 'POST', url: '/api/templates', headers: t.admin, payload });
      expect(res.statusCode, res.body).toBe(201);
    }
    channel = createTelegramChannel(h.deps);
  });
  afterAll(async () => {
    await channel?.close();
    await server?.close();
    await h?.close();
  });

  const contact = (name: string, locale = 'en'): Promise<Contact> =>
    createContact(h.deps, t.workspaceId, { email: `${name.replace(/\W/g, '')}${++n}@example.com`, locale, attributes: { first_name: name } });
  const send = (c: Contact, template: string, key = `k${++n}`, kind: 'marketing' | 'transactional' = 'marketing'): Promise<SendResult> =>
    channel.send({ workspaceId: t.workspaceId, contact: c, idempotencyKey: key, config: { template }, context: { data: { order: 'A-1' } }, kind });
  const record = (key: string) => h.deps.store.db.selectFrom('messages').selectAll().where('workspace_id', '=', t.workspaceId).where('idempotency_key', '=', key).executeTakeFirstOrThrow();
  const linkOf = async (c: Contact) => {
    const res = await h.app.inject({ method: 'GET', url: `/api/contacts/${c.id}/telegram-link`, headers: t.admin });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as { url: string; token: string };
  };
  const hook = (body: object, secret: string | null = webhookSecret) =>
    h.app.inject({
      method: 'POST',
      url: `/hooks/telegram/${t.workspaceId}/${providerId}`,
      headers: { 'content-type': 'application/json', ...(secret === null ? {} : { 'x-telegram-bot-api-secret-token': secret }) },
      payload: JSON.stringify(body),
    });
  const message = (chatId: number, text: string, id = ++update) => ({
    update_id: id,
    message: { message_id: id, date: 1, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'X' }, text },
  });
  /** The next second for both counters: the limiter's (the harness's manual clock) and the fake server's (real time). */
  const nextSecond = async () => {
    h.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  };
  const handleOf = (c: Contact) => h.deps.store.db.selectFrom('channel_handles').selectAll().where('workspace_id', '=', t.workspaceId).where('contact_id', '=', c.id).executeTakeFirst();
  async function linked(name: string, chatId: number, locale = 'en'): Promise<Contact> {
    const c = await contact(name, locale);
    const { token } = await linkOf(c);
    const res = await hook(message(chatId, `/start ${token}`));
    expect(res.json()).toEqual({ ok: true, outcome: 'linked' });
    server.chats.add(String(chatId));
    // The bot's reply to /start (./replies.ts) spent the chat's second.
    await nextSecond();
    return c;
  }

  it('a contact links through the signed deep link, gets a formatted message with a tracked button, and the click is counted', async () => {
    const c = await contact('Sara & <Co>');
    expect(await send(c, 'offer')).toEqual({ status: 'skipped', reason: 'no telegram consent' });

    const { url, token } = await linkOf(c);
    expect(url).toBe(`https://t.me/${server.username}?start=${token}`);
    expect(token).toMatch(/^[A-Za-z0-9_-]{1,64}$/);
    const start = message(5551, `/start ${token}`);
    expect((await hook(start)).json()).toEqual({ ok: true, outcome: 'linked' });
    expect((await handleOf(c))?.handle).toBe('5551');
    expect(await effectiveConsent(h.deps.store.db, c.id, 'telegram')).toBe('subscribed');
    // Telegram redelivers an update it thinks was lost: nothing happens twice.
    expect((await hook(start)).json()).toEqual({ ok: true, outcome: 'duplicate' });

    server.chats.add('5551');
    await nextSecond();
    const key = `k${++n}`;
    const result = await send(c, 'offer', key);
    expect(result.status).toBe('sent');
    const sent = server.sent.at(-1)!;
    expect(sent.chatId).toBe('5551');
    expect(sent.parseMode).toBe('HTML');
    // The contact's name is escaped; the URL in the text and the button's URL are short tracked links.
    expect(sent.text).toMatch(/^Hi <b>Sara &amp; &lt;Co&gt;<\/b>, 20% off: https:\/\/q\.example\.com\/s\/[0-9A-Za-z]{11}$/);
    expect(sent.buttons).toHaveLength(1);
    expect(sent.buttons[0]!.text).toBe('Shop now');
    expect(sent.buttons[0]!.url).toMatch(/^https:\/\/q\.example\.com\/s\/[0-9A-Za-z]{11}$/);
    const m = await record(key);
    expect(m).toMatchObject({ status: 'sent', channel: 'telegram', to_address: '5551', provider: 'telegram_bot' });

    const click = await h.app.inject({ method: 'GET', url: new URL(sent.buttons[0]!.url).pathname });
    expect(click.statusCode).toBe(302);
    expect(click.headers.location).toBe('https://shop.example.com/buy?c=2');
    expect(Number((await record(key)).click_count)).toBe(1);
    const events = await h.deps.store.db.selectFrom('events').select('name').where('workspace_id', '=', t.workspaceId).where('contact_id', '=', c.id).execute();
    expect(events.map((e) => e.name)).toContain('telegram.clicked');

    // The same key again is answered from its record: nothing is sent twice.
    const before = server.sent.length;
    expect((await send(c, 'offer', key)).status).toBe('sent');
    expect(server.sent.length).toBe(before);
  });

  it('the Arabic variant goes to an Arabic contact; the transactional API sends on telegram', async () => {
    const c = await linked('سارة', 5552, 'ar');
    expect((await send(c, 'offer')).status).toBe('sent');
    expect(server.sent.at(-1)!.text).toMatch(/^مرحبا <b>سارة<\/b>: https:\/\/q\.example\.com\/s\//);
    // One message a second per chat: the next second.
    await nextSecond();
    const res = await h.app.inject({ method: 'POST', url: '/api/messages/send', headers: t.admin, payload: { templateId: 'note', contactId: c.id, channel: 'telegram', data: { order: 'Z-9' } } });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().result.status, res.body).toBe('sent');
    expect(server.sent.at(-1)).toMatchObject({ chatId: '5552', text: 'Your order Z-9 has shipped' });
  });

  it('/stop withdraws consent at once: marketing stops, the withdrawal is an unsubscribed event', async () => {
    const c = await linked('Omid', 5553);
    expect((await send(c, 'offer')).status).toBe('sent');
    expect((await hook(message(5553, '/stop'))).json()).toEqual({ ok: true, outcome: 'stopped' });
    expect(await effectiveConsent(h.deps.store.db, c.id, 'telegram')).toBe('unsubscribed');
    expect(await send(c, 'offer')).toEqual({ status: 'skipped', reason: 'unsubscribed from telegram' });
  });

  it('a bot the user blocked: permanent failure, and the consent is withdrawn', async () => {
    const c = await linked('Reza', 5554);
    server.blocked.add('5554');
    const key = `k${++n}`;
    expect(await send(c, 'offer', key)).toEqual({ status: 'permanent', reason: 'telegram 403: Forbidden: bot was blocked by the user' });
    expect((await record(key)).status).toBe('failed');
    expect(await effectiveConsent(h.deps.store.db, c.id, 'telegram')).toBe('unsubscribed');
    const history = await h.deps.store.db.selectFrom('consent_history').select(['status', 'source']).where('contact_id', '=', c.id).orderBy('id').execute();
    expect(history.at(-1)).toEqual({ status: 'unsubscribed', source: 'telegram_blocked' });
  });

  it('a 429 from Telegram is retryable after its retry_after; the retry with the same key sends once', async () => {
    const c = await linked('Mina', 5555);
    server.limits.globalPerSecond = 0;
    const key = `k${++n}`;
    try {
      expect(await send(c, 'offer', key)).toEqual({ status: 'retryable', reason: 'telegram 429: Too Many Requests: retry after 1', retryAfterMs: 1000 });
      expect((await record(key)).status).toBe('queued');
    } finally {
      server.limits.globalPerSecond = 30;
    }
    // After retry_after (the chat's token of that second was spent on the refused attempt).
    await nextSecond();
    const before = server.sent.length;
    expect((await send(c, 'offer', key)).status).toBe('sent');
    expect(server.sent.length).toBe(before + 1);
  });

  it('the per-chat limit is honoured by the shared limiter: a second message to the same chat waits for the next second, no 429', async () => {
    const c = await linked('Dara', 5556);
    const tooMany = server.tooMany;
    expect((await send(c, 'offer')).status).toBe('sent');
    const key = `k${++n}`;
    // The clock (the limiter's seconds) does not move: the chat's second stays spent.
    const second = await send(c, 'offer', key);
    expect(second.status).toBe('retryable');
    expect((second as { reason: string }).reason).toMatch(/at Telegram's limit/);
    await nextSecond();
    expect((await send(c, 'offer', key)).status).toBe('sent');
    expect(server.tooMany).toBe(tooMany);
  });

  it('a tampered, expired or reused token is refused and changes nothing', async () => {
    const a = await contact('Ali');
    const b = await contact('Bita');
    const { token } = await linkOf(a);
    // Another contact's id under a's signature; a flipped signature character.
    const forged = token.replace(a.id, b.id);
    const flipped = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    for (const bad of [forged, flipped, 'not-a-token', `${token}x`]) {
      expect((await hook(message(6001, `/start ${bad}`))).json()).toEqual({ ok: true, outcome: 'refused' });
    }
    expect(await handleOf(a)).toBeUndefined();
    expect(await handleOf(b)).toBeUndefined();

    // a's token links chat 6002; the same token from another chat is refused.
    expect((await hook(message(6002, `/start ${token}`))).json()).toEqual({ ok: true, outcome: 'linked' });
    expect((await hook(message(6003, `/start ${token}`))).json()).toEqual({ ok: true, outcome: 'refused' });
    expect((await handleOf(a))?.handle).toBe('6002');
    // Chat 6002 cannot be taken over by another contact's token either.
    const { token: tokenB } = await linkOf(b);
    expect((await hook(message(6002, `/start ${tokenB}`))).json()).toEqual({ ok: true, outcome: 'refused' });
    expect(await handleOf(b)).toBeUndefined();
    expect(await effectiveConsent(h.deps.store.db, b.id, 'telegram')).toBeNull();

    // Expired after 30 days.
    const c = await contact('Cyrus');
    const { token: old } = await linkOf(c);
    h.clock.advance(31 * 24 * 3600_000);
    expect((await hook(message(6004, `/start ${old}`))).json()).toEqual({ ok: true, outcome: 'refused' });
    expect(await handleOf(c)).toBeUndefined();
  });

  it('a webhook call without the secret token, or with a wrong one, is a 403 and changes nothing', async () => {
    const c = await contact('Dina');
    const { token } = await linkOf(c);
    const body = message(6101, `/start ${token}`);
    for (const secret of [null, 'wrong-secret-token', `${webhookSecret}x`]) {
      const res = await hook(body, secret);
      expect(res.statusCode).toBe(403);
    }
    // Another workspace's URL with this provider's secret: 403 too.
    const other = await h.tenant();
    const res = await h.app.inject({
      method: 'POST',
      url: `/hooks/telegram/${other.workspaceId}/${providerId}`,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': webhookSecret },
      payload: JSON.stringify(body),
    });
    expect(res.statusCode).toBe(403);
    expect(await handleOf(c)).toBeUndefined();
    const seen = await h.deps.store.db.selectFrom('telegram_updates').select('update_id').where('update_id', '=', body.update_id).execute();
    expect(seen).toEqual([]);
    // With the secret, the same update links (it was not marked seen by the refused calls).
    expect((await hook(body)).json()).toEqual({ ok: true, outcome: 'linked' });
  });

  it('{{ telegram_link }} in an SMS invites the contact: the link it carries links their chat', async () => {
    await saveTemplates(h.deps, t.workspaceId, [{ id: 'invite', name: 'Invite', channel: 'sms', kind: 'transactional', content: { body: 'Follow us on Telegram: {{ telegram_link }}' } }], 'upsert');
    const sms = createSmsChannel(h.deps);
    try {
      const c = await createContact(h.deps, t.workspaceId, { phone: '+989121234567', locale: 'fa', attributes: { first_name: 'Nima' } });
      const key = `k${++n}`;
      const result = await sms.send({ workspaceId: t.workspaceId, contact: c, idempotencyKey: key, config: { template: 'invite' }, context: {}, kind: 'transactional' });
      expect(result.status).toBe('sent');
      // The SMS carries it as a short tracked link; the message's link is the deep link itself.
      const links = fromJson<string[]>((await record(key)).links);
      expect(links).toHaveLength(1);
      const deep = new URL(links[0]!);
      expect(`${deep.origin}${deep.pathname}`).toBe(`https://t.me/${server.username}`);
      const token = deep.searchParams.get('start')!;
      expect((await hook(message(6301, `/start ${token}`))).json()).toEqual({ ok: true, outcome: 'linked' });
      expect((await handleOf(c))?.handle).toBe('6301');
    } finally {
      await sms.close();
    }
  });

  it('erasing a contact removes its chat id, and its link token no longer links', async () => {
    const c = await contact('Parisa');
    const { token } = await linkOf(c);
    expect((await hook(message(6401, `/start ${token}`))).json()).toEqual({ ok: true, outcome: 'linked' });
    const res = await h.app.inject({ method: 'DELETE', url: `/api/contacts/${c.id}?erase=true`, headers: t.admin });
    expect(res.statusCode, res.body).toBe(200);
    expect(await handleOf(c)).toBeUndefined();
    const uses = await h.deps.store.db.selectFrom('telegram_link_uses').select('chat_id').where('contact_id', '=', c.id).execute();
    expect(uses).toEqual([]);
    expect((await hook(message(6401, `/start ${token}`))).json()).toEqual({ ok: true, outcome: 'refused' });
  });

  it('templates Telegram would refuse are a 400 naming the field: too long, an unsupported tag, a bad button URL', async () => {
    const cases: [object, string][] = [
      [{ body: 'x'.repeat(4097) }, 'body'],
      [{ body: 'ok', locales: { fa: { body: 'y'.repeat(5000) } } }, 'locales.fa.body'],
      [{ body: '<div>hello</div>' }, 'body'],
      [{ body: '<b>open' }, 'body'],
      [{ body: 'ok', buttons: [{ text: 'Go', url: 'javascript:alert(1)' }] }, 'buttons.0.url'],
    ];
    for (const [content, field] of cases) {
      const res = await h.app.inject({ method: 'POST', url: '/api/templates', headers: t.admin, payload: { id: `bad-${++n}`, name: 'Bad', channel: 'telegram', kind: 'marketing', content } });
      expect(res.statusCode, JSON.stringify(content).slice(0, 80)).toBe(400);
      expect(res.body).toContain(field);
    }
    // Buttons on an email template are refused too.
    const email = await h.app.inject({
      method: 'POST',
      url: '/api/templates',
      headers: t.admin,
      payload: { id: `bad-${++n}`, name: 'E', channel: 'sms', kind: 'transactional', content: { body: 'x', buttons: [{ text: 'a', url: 'https://a.example' }] } },
    });
    expect(email.statusCode).toBe(400);
    // A message over 4096 characters only after personalisation is refused at send time, permanently.
    await h.app.inject({
      method: 'POST',
      url: '/api/templates',
      headers: t.admin,
      payload: { id: 'grows', name: 'Grows', channel: 'telegram', kind: 'transactional', content: { body: '{{ data.order }}' } },
    });
    const c = await linked('Eli', 6201);
    const key = `k${++n}`;
    const result = await channel.send({
      workspaceId: t.workspaceId,
      contact: c,
      idempotencyKey: key,
      config: { template: 'grows' },
      context: { data: { order: 'z'.repeat(5000) } },
      kind: 'transactional',
    });
    expect(result).toEqual({ status: 'permanent', reason: 'template: body: the rendered message is 5000 characters; Telegram allows 4096' });
  });

  it("paid broadcasts: a bot set to paidBroadcast sends with allow_paid_broadcast at Telegram's 1000/s, past the free 30/s", async () => {
    /** `count` contacts whose chats are linked (as /start leaves them), for transactional sends. */
    const chatsOf = async (count: number, first: number) => {
      const out: Contact[] = [];
      for (let i = 0; i < count; i++) {
        const c = await contact(`Burst${i}`);
        const now = h.clock.now();
        await h.deps.store.db
          .insertInto('channel_handles')
          .values({ workspace_id: t.workspaceId, channel: 'telegram', contact_id: c.id, handle: String(first + i), provider_id: providerId, created_at: now, updated_at: now })
          .execute();
        server.chats.add(String(first + i));
        out.push(c);
      }
      return out;
    };
    const burst = (cs: Contact[]) => Promise.all(cs.map((c) => send(c, 'note', `k${++n}`, 'transactional')));
    const free = await chatsOf(40, 7000);
    const paid = await chatsOf(40, 8000);
    const tooMany = server.tooMany;

    // The free limit: 30/s, of which the limiter uses 90 % (27: 24 before the second's last tenth, 3
    // in it); the limiter's clock does not move here, so that part goes and the rest waits.
    await nextSecond();
    const lastTenth = h.clock.now() % 1000 >= 900;
    const share = lastTenth ? lastTenthShare(budgetOf(30)) : budgetOf(30) - lastTenthShare(budgetOf(30));
    const before = server.sent.length;
    const freeResults = await burst(free);
    expect(freeResults.filter((r) => r.status === 'sent').length).toBe(share);
    expect(freeResults.filter((r) => r.status === 'retryable').length).toBe(40 - share);
    expect(server.sent.slice(before).every((m) => !m.paid)).toBe(true);

    const patched = await h.app.inject({
      method: 'PATCH',
      url: `/api/channels/telegram/providers/${providerId}`,
      headers: t.admin,
      payload: { settings: { botUsername: server.username, apiRoot: server.apiRoot, paidBroadcast: true } },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    await nextSecond();
    const paidFrom = server.sent.length;
    const paidResults = await burst(paid);
    expect(paidResults.map((r) => r.status)).toEqual(paid.map(() => 'sent'));
    expect(server.sent.slice(paidFrom).map((m) => m.paid)).toEqual(paid.map(() => true));
    // The fake server holds a paid broadcast to 1000/s and a free one to 30/s: neither answered 429.
    expect(server.tooMany).toBe(tooMany);
  });
});
