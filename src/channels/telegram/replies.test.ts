import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../../test/backends.js';
import { createHarness, type Harness, type Tenant } from '../../../test/harness.js';
import { createContact } from '../../contacts/contacts.js';
import { effectiveConsent } from '../../consent/consent.js';
import { startBotApiServer, type BotApiTestServer } from './bot-api.testkit.js';
import { DEFAULT_REPLIES } from './replies.js';

describe.each(backends())("the bot's replies to /start and /stop on %s", (kind) => {
  let h: Harness;
  let t: Tenant;
  let server: BotApiTestServer;
  let providerId: string;
  let update = 9000;
  let n = 0;
  const ARABIC_WELCOME = 'أهلًا بك في متجرنا على تيليجرام';

  beforeAll(async () => {
    h = await createHarness(kind, { publicUrl: 'https://q.example.com', allowPrivateOutbound: true });
    t = await h.tenant();
    server = await startBotApiServer();
    server.anyChat = true;
    const created = await h.app.inject({
      method: 'POST',
      url: '/api/channels/telegram/providers',
      headers: t.admin,
      // The workspace wrote its own Arabic welcome; every other text is the default.
      payload: {
        kind: 'telegram_bot',
        name: 'Bot',
        settings: { botUsername: server.username, apiRoot: server.apiRoot, replies: { linked: { ar: ARABIC_WELCOME } } },
        secrets: { token: server.token },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    providerId = created.json().id;
    expect((await h.app.inject({ method: 'POST', url: `/api/channels/telegram/providers/${providerId}/webhook`, headers: t.admin })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await server?.close();
    await h?.close();
  });

  const hook = (body: object) =>
    h.app.inject({
      method: 'POST',
      url: `/hooks/telegram/${t.workspaceId}/${providerId}`,
      headers: { 'content-type': 'application/json', 'x-telegram-bot-api-secret-token': server.webhook!.secretToken! },
      payload: JSON.stringify(body),
    });
  const message = (chatId: number, text: string, languageCode = 'en', id = ++update) => ({
    update_id: id,
    message: { message_id: id, date: 1, chat: { id: chatId, type: 'private' }, from: { id: chatId, is_bot: false, first_name: 'X', language_code: languageCode }, text },
  });
  const tokenOf = async (contactId: string) => (await h.app.inject({ method: 'GET', url: `/api/contacts/${contactId}/telegram-link`, headers: t.admin })).json().token as string;
  const repliesTo = (chatId: number) => server.sent.filter((m) => m.chatId === String(chatId)).map((m) => m.text);
  const nextSecond = async () => {
    h.clock.advance(1000);
    await new Promise((r) => setTimeout(r, 1000 - (Date.now() % 1000) + 5));
  };

  it("/start with a good token is answered once, in the contact's locale, as a recorded transactional message", async () => {
    const c = await createContact(h.deps, t.workspaceId, { email: `fa${++n}@example.com`, locale: 'fa-IR' });
    const start = message(7001, `/start ${await tokenOf(c.id)}`, 'en');
    expect((await hook(start)).json()).toEqual({ ok: true, outcome: 'linked' });
    // The contact's locale wins over the language of the Telegram app.
    expect(repliesTo(7001)).toEqual([DEFAULT_REPLIES.linked.fa]);
    const recorded = await h.deps.store.db
      .selectFrom('messages')
      .select(['status', 'channel', 'kind', 'to_address', 'contact_id'])
      .where('workspace_id', '=', t.workspaceId)
      .where('idempotency_key', '=', `telegram-reply:${providerId}:${start.update_id}`)
      .execute();
    expect(recorded).toEqual([{ status: 'sent', channel: 'telegram', kind: 'transactional', to_address: '7001', contact_id: c.id }]);
    // Telegram redelivers the same update: no second reply.
    await nextSecond();
    expect((await hook(start)).json()).toEqual({ ok: true, outcome: 'duplicate' });
    expect(repliesTo(7001)).toHaveLength(1);
  });

  it("the workspace's own text replaces the default for its language", async () => {
    const c = await createContact(h.deps, t.workspaceId, { email: `ar${++n}@example.com`, locale: 'ar' });
    expect((await hook(message(7002, `/start ${await tokenOf(c.id)}`))).json()).toEqual({ ok: true, outcome: 'linked' });
    expect(repliesTo(7002)).toEqual([ARABIC_WELCOME]);
  });

  it("a bad or expired token is refused and answered in the sender's Telegram language; nothing is recorded for a chat that is nobody's", async () => {
    const before = await h.deps.store.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', t.workspaceId)
      .executeTakeFirstOrThrow();
    expect((await hook(message(7003, '/start not-a-token', 'ar-EG'))).json()).toEqual({ ok: true, outcome: 'refused' });
    expect(repliesTo(7003)).toEqual([DEFAULT_REPLIES.refused.ar]);
    const c = await createContact(h.deps, t.workspaceId, { email: `old${++n}@example.com` });
    const old = await tokenOf(c.id);
    h.clock.advance(31 * 24 * 3600_000);
    await nextSecond();
    expect((await hook(message(7003, `/start ${old}`, 'fa'))).json()).toEqual({ ok: true, outcome: 'refused' });
    expect(repliesTo(7003)).toEqual([DEFAULT_REPLIES.refused.ar, DEFAULT_REPLIES.refused.fa]);
    const after = await h.deps.store.db
      .selectFrom('messages')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('workspace_id', '=', t.workspaceId)
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('/stop withdraws marketing at once and is confirmed by a transactional reply', async () => {
    const c = await createContact(h.deps, t.workspaceId, { email: `en${++n}@example.com`, locale: 'en-GB' });
    expect((await hook(message(7004, `/start ${await tokenOf(c.id)}`))).json()).toEqual({ ok: true, outcome: 'linked' });
    await nextSecond();
    const stop = message(7004, '/stop');
    expect((await hook(stop)).json()).toEqual({ ok: true, outcome: 'stopped' });
    expect(await effectiveConsent(h.deps.store.db, c.id, 'telegram')).toBe('unsubscribed');
    expect(repliesTo(7004)).toEqual([DEFAULT_REPLIES.linked.en, DEFAULT_REPLIES.stopped.en]);
    await nextSecond();
    expect((await hook(stop)).json()).toEqual({ ok: true, outcome: 'duplicate' });
    expect(repliesTo(7004)).toHaveLength(2);
  });

  it('replies the workspace writes are checked when saved: an unknown kind or language, or an empty text, is a 400 naming the field', async () => {
    for (const replies of [{ welcome: { en: 'x' } }, { linked: { de: 'Hallo' } }, { stopped: { en: '   ' } }]) {
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/channels/telegram/providers',
        headers: t.admin,
        payload: { kind: 'telegram_bot', name: 'Bad', settings: { botUsername: server.username, replies }, secrets: { token: server.token } },
      });
      expect(res.statusCode, JSON.stringify(replies)).toBe(400);
      expect(res.json().error.issues[0].path).toMatch(/settings\.replies/);
    }
  });
});
