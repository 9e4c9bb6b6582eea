import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends } from '../../test/backends.js';
import { emailKit, PUBLIC_URL, type EmailKit } from '../channels/email/test-kit.js';
import type { Contact } from '../contacts/contact.js';

describe.each(backends())('unsubscribing on %s', (kind) => {
  let k: EmailKit;
  beforeAll(async () => {
    k = await emailKit(kind);
  });
  afterAll(async () => k?.close());

  /** Sends a marketing email and returns the path of its List-Unsubscribe https URL. */
  async function unsubscribePath(c: Contact, key: string, topic?: string): Promise<string> {
    k.sink.clear();
    expect((await k.send(c, { template: 'welcome-1', key, ...(topic ? { topic } : {}) })).status).toBe('sent');
    const [mail] = await k.sink.waitFor(1);
    const header = mail!.raw.split('\r\n').find((l) => l.startsWith('List-Unsubscribe:'))!;
    return /<https:\/\/q\.example\.com(\/u\/[^>]+)>/.exec(header)![1]!;
  }

  const history = (contactId: string) => k.h.deps.store.db.selectFrom('consent_history').selectAll().where('contact_id', '=', contactId).orderBy('id').execute();

  it('GET shows a page with a button and never unsubscribes (mail scanners prefetch)', async () => {
    const c = await k.contact('prefetch@example.org');
    const path = await unsubscribePath(c, 'u:get');
    for (let i = 0; i < 3; i++) {
      const res = await k.h.app.inject({ method: 'GET', url: path, headers: { 'user-agent': 'Barracuda scanner' } });
      expect(res.statusCode).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/html/);
      expect(res.body).toContain('<button type="submit">Unsubscribe</button>');
      expect(res.body).toContain(`action="${path}"`);
      expect(res.body).toContain('p***h@example.org');
    }
    expect(await history(c.id)).toEqual([]);
    expect((await k.send(c, { template: 'welcome-1', key: 'u:get:2' })).status).toBe('sent');
  });

  it('one-click POST (RFC 8058, form-encoded, no cookies) unsubscribes at once: the next marketing send is skipped, a transactional one still goes', async () => {
    const c = await k.contact('oneclick@example.org');
    const path = await unsubscribePath(c, 'u:oc:1');
    const res = await k.h.app.inject({
      method: 'POST',
      url: path,
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'user-agent': 'Gmail one-click' },
      payload: 'List-Unsubscribe=One-Click',
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['set-cookie']).toBeUndefined();
    const h = await history(c.id);
    expect(h).toHaveLength(1);
    expect(h[0]).toMatchObject({ channel: 'email', topic: '', status: 'unsubscribed', source: 'one-click', user_agent: 'Gmail one-click' });

    k.sink.clear();
    const marketing = await k.send(c, { template: 'welcome-1', key: 'u:oc:2' });
    expect(marketing).toEqual({ status: 'skipped', reason: 'unsubscribed from email' });
    const tx = await k.send(c, { template: 'receipt', key: 'u:oc:3', kind: 'transactional', data: { order: 'B-2' } });
    expect(tx.status).toBe('sent');
    const mails = await k.sink.waitFor(1);
    await new Promise((r) => setTimeout(r, 150));
    expect(k.sink.mails.map((m) => m.parsed.subject)).toEqual(['Your receipt B-2']);
    expect(mails[0]!.envelope.rcptTo).toEqual(['oneclick@example.org']);
    const skipped = await k.h.deps.store.db.selectFrom('messages').selectAll().where('idempotency_key', '=', 'u:oc:2').executeTakeFirstOrThrow();
    expect(skipped).toMatchObject({ status: 'skipped', reason: 'unsubscribed from email' });
  });

  it('one-click also works with a multipart/form-data body', async () => {
    const c = await k.contact('multipart@example.org');
    const path = await unsubscribePath(c, 'u:mp:1');
    const boundary = 'xYzZY';
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${boundary}--\r\n`;
    const res = await k.h.app.inject({ method: 'POST', url: path, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` }, payload });
    expect(res.statusCode).toBe(200);
    expect((await k.send(c, { template: 'welcome-1', key: 'u:mp:2' })).status).toBe('skipped');
  });

  it('the page form can leave one topic only, recording the answer to "why are you leaving?"', async () => {
    const c = await k.contact('topic@example.org');
    const path = await unsubscribePath(c, 'u:t:1', 'tips');
    const page = await k.h.app.inject({ method: 'GET', url: path });
    expect(page.body).toContain('value="topic" checked');
    const res = await k.h.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'scope=topic&reason=Too+many+tips' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('You are unsubscribed');
    expect((await history(c.id))[0]).toMatchObject({ topic: 'tips', status: 'unsubscribed', source: 'unsubscribe-page' });
    const fb = await k.h.deps.store.db.selectFrom('unsubscribe_feedback').selectAll().where('contact_id', '=', c.id).executeTakeFirstOrThrow();
    expect(fb).toMatchObject({ scope: 'topic', topic: 'tips', answer: 'Too many tips' });
    expect((await k.send(c, { template: 'welcome-1', key: 'u:t:2', topic: 'tips' })).status).toBe('skipped');
    expect((await k.send(c, { template: 'welcome-1', key: 'u:t:3', topic: 'news' })).status).toBe('sent');
  });

  it('a tampered unsubscribe token answers 404 and changes nothing', async () => {
    const c = await k.contact('tampered@example.org');
    const path = await unsubscribePath(c, 'u:x:1');
    const bad = path.slice(0, -2) + (path.endsWith('aa') ? 'bb' : 'aa');
    for (const method of ['GET', 'POST'] as const) {
      const res = await k.h.app.inject({ method, url: bad, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: method === 'POST' ? 'List-Unsubscribe=One-Click' : undefined });
      expect(res.statusCode).toBe(404);
    }
    expect(await history(c.id)).toEqual([]);
  });

  it('a POST without the one-click body or a form choice is a 400 with the field path, and changes nothing', async () => {
    const c = await k.contact('empty@example.org');
    const path = await unsubscribePath(c, 'u:e:1');
    const res = await k.h.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=Maybe' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.issues[0].path).toBe('body.List-Unsubscribe');
    expect(await history(c.id)).toEqual([]);
  });

  it('the preference center lists the workspace topics and saves choices; re-subscribing works', async () => {
    await k.configure({
      topics: [
        { id: 'news', name: 'Monthly news' },
        { id: 'tips', name: 'Product tips' },
      ],
    });
    const c = await k.contact('prefs@example.org');
    k.sink.clear();
    await k.send(c, { template: 'welcome-1', key: 'p:1' });
    const [mail] = await k.sink.waitFor(1);
    const unsub = /<https:\/\/q\.example\.com(\/u\/[^>]+)>/.exec(mail!.raw)![1]!;
    const unsubPage = await k.h.app.inject({ method: 'GET', url: unsub });
    const prefs = /href="https:\/\/q\.example\.com(\/p\/[^"]+)"/.exec(unsubPage.body)![1]!;
    const page = await k.h.app.inject({ method: 'GET', url: prefs });
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Monthly news');
    expect(page.body).toContain('value="tips" checked');
    const save = await k.h.app.inject({ method: 'POST', url: prefs, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'submitted=1&all=1&topic=news' });
    expect(save.statusCode).toBe(200);
    expect(save.body).toContain('Saved.');
    expect(save.body).toContain('value="news" checked');
    expect(save.body).not.toContain('value="tips" checked');
    expect((await k.send(c, { template: 'welcome-1', key: 'p:2', topic: 'tips' })).status).toBe('skipped');
    expect((await k.send(c, { template: 'welcome-1', key: 'p:3', topic: 'news' })).status).toBe('sent');
    // Everything off, then back on.
    await k.h.app.inject({ method: 'POST', url: prefs, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'submitted=1&topic=news' });
    expect((await k.send(c, { template: 'welcome-1', key: 'p:4', topic: 'news' })).status).toBe('skipped');
    await k.h.app.inject({ method: 'POST', url: prefs, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'submitted=1&all=1&topic=news' });
    expect((await k.send(c, { template: 'welcome-1', key: 'p:5', topic: 'news' })).status).toBe('sent');
    const sources = (await history(c.id)).map((r) => r.source);
    expect(new Set(sources)).toEqual(new Set(['preference-center']));
  });

  it('unsubscribe links keep working a year later (tokens do not expire)', async () => {
    const c = await k.contact('later@example.org');
    const path = await unsubscribePath(c, 'u:late:1');
    k.h.clock.advance(366 * 24 * 3600_000);
    const res = await k.h.app.inject({ method: 'POST', url: path, headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: 'List-Unsubscribe=One-Click' });
    expect(res.statusCode).toBe(200);
    expect(PUBLIC_URL).toBe('https://q.example.com');
  });
});
